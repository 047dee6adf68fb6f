"""The peer `reentrybus bench persons` compares our person matcher with: Splink (DuckDB backend)
on the same generated records, with a model built to be comparable to ours.

Usage: python persons-peer.py --records RECORDS.ndjson [--link-threshold 0.99]
           [--review-threshold 0.5] [--u-pairs 1000000] [--seed 1]

RECORDS.ndjson holds one record a line in the form `reentrybus persons resolve` reads. Prints,
one item a line:
    splink <version>
    seconds <cleaning + training + prediction + clustering, in seconds>
    person <line index> <cluster id>        (one line for every record)
    review <line index> <line index> <match probability>
The timed part starts with the records parsed into Python dictionaries (reading the file and
starting Python are left out) and ends with the clusters and the review pairs back in Python,
as our side's time starts with the records in memory and ends with its persons and pairs.

The model, as close to ours as Splink's comparisons allow:
- the same light normalisation ours does before comparing: case, accents, apostrophes and
  punctuation folded, Jr/Sr dropped, compound surnames written without separators, the street
  types the generator abbreviates;
- given and family name: Splink's NameComparison (exact with term-frequency adjustment,
  Jaro-Winkler 0.92, 0.88, 0.7, else);
- date of birth: exact, day and month swapped, one character different, within a year, else;
- sex: exact;
- address: street and postal code, close street (Jaro-Winkler 0.9) and postal code, postal
  code, else;
- state ID, FBI number, booking number within its source: exact, else;
- blocking for prediction as ours, where Splink has no phonetic function the NYSIIS keys are
  computed beforehand (jellyfish); there is no nickname table, no cap on block sizes;
- u by random sampling, m by EM in two sessions (blocked on date of birth, then on both
  names), the prior from deterministic rules (a shared state ID, FBI number, or exact names and
  date) with Splink's customary recall guess of 0.7;
- predictions at the review threshold, clusters (connected components) at the link threshold;
  `link_and_dedupe` over one table per source, so pairs within a source count, as ours.
"""

import argparse
import json
import logging
import re
import sys
import time
import unicodedata

import duckdb
import jellyfish
import pyarrow as pa
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

STREET_TYPES = {"street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "lane": "ln", "court": "ct",
                "boulevard": "blvd", "place": "pl"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
COLUMNS = ["unique_id", "given_name", "family_name", "given_nysiis", "family_nysiis", "dob", "dob_sorted",
           "sex", "street", "postal_code", "state_id", "fbi_number", "booking_key"]


def fold(text):
    """Lower case, no accents, apostrophes dropped, other punctuation a space; None if empty."""
    if not text:
        return None
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("'", "")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return words or None


def clean(index, record):
    given = fold(record.get("givenName"))
    family = fold(record.get("familyName"))
    if family:
        family = [w for w in family if w not in SUFFIXES] or family
    given_name = given[0] if given else None
    family_name = "".join(family) if family else None
    dob = record.get("dateOfBirth")
    dob_sorted = None
    if dob:
        year, month, day = dob.split("-")
        low, high = sorted((int(month), int(day)))
        dob_sorted = f"{year}-{low}-{high}"
    sex = record.get("sex")
    address = record.get("address") or {}
    street = fold(address.get("line1"))
    ids = record.get("identifiers") or {}
    booking = ids.get("bookingNumber")
    return {
        "unique_id": index,
        "given_name": given_name,
        "family_name": family_name,
        "given_nysiis": jellyfish.nysiis(given_name) if given_name else None,
        "family_nysiis": jellyfish.nysiis(family_name) if family_name else None,
        "dob": dob,
        "dob_sorted": dob_sorted,
        "sex": sex if sex in ("M", "F") else None,
        "street": " ".join(STREET_TYPES.get(w, w) for w in street) if street else None,
        "postal_code": address.get("postalCode") or None,
        "state_id": ids.get("stateId"),
        "fbi_number": ids.get("fbiNumber"),
        "booking_key": f"{record['source']}|{booking}" if booking else None,
    }


def settings():
    date = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("dob_sorted_l = dob_sorted_r", "day and month swapped"),
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.AbsoluteDateDifferenceLevel("dob", input_is_string=True, threshold=1, metric="year"),
            cll.ElseLevel(),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("postal_code"),
            cll.And(cll.ExactMatchLevel("street"), cll.ExactMatchLevel("postal_code")),
            cll.And(cll.JaroWinklerLevel("street", 0.9), cll.ExactMatchLevel("postal_code")),
            cll.ExactMatchLevel("postal_code"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_and_dedupe",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            date,
            cl.ExactMatch("sex"),
            address,
            cl.ExactMatch("state_id"),
            cl.ExactMatch("fbi_number"),
            cl.ExactMatch("booking_key"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("family_nysiis", "substr(dob, 1, 4)"),
            block_on("substr(given_name, 1, 1)", "dob_sorted"),
            block_on("postal_code", "substr(family_name, 1, 3)"),
            block_on("family_nysiis", "given_nysiis"),
            block_on("state_id"),
            block_on("fbi_number"),
            block_on("booking_key"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", required=True)
    parser.add_argument("--link-threshold", type=float, default=0.99)
    parser.add_argument("--review-threshold", type=float, default=0.5)
    parser.add_argument("--u-pairs", type=float, default=1e6)
    parser.add_argument("--seed", type=int, default=1, help="seed of the u sample; negative: none")
    parser.add_argument("--threads", type=int, default=0, help="DuckDB's threads; 0: its default (all cores)")
    options = parser.parse_args()

    with open(options.records, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    schema = pa.schema([("unique_id", pa.int64())] + [(c, pa.string()) for c in COLUMNS[1:]])

    start = time.perf_counter()
    cpu_start = time.process_time()
    stages = []

    def stage(name):
        stages.append((name, time.perf_counter()))

    by_source = {}
    for index, record in enumerate(records):
        by_source.setdefault(record["source"], []).append(clean(index, record))
    connection = duckdb.connect()
    if options.threads > 0:
        connection.execute(f"SET threads TO {options.threads}")
    db_api = DuckDBAPI(connection)
    tables = [
        db_api.register(pa.Table.from_pylist(rows, schema=schema), dataset_display_name=name.replace("-", "_"))
        for name, rows in sorted(by_source.items())
    ]
    linker = Linker(tables, settings(), log_level=logging.WARNING)
    stage("clean")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("state_id"), block_on("fbi_number"), block_on("given_name", "family_name", "dob")], recall=0.7)
    stage("prior")
    linker.training.estimate_u_using_random_sampling(max_pairs=options.u_pairs, seed=options.seed if options.seed >= 0 else None)
    stage("u")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "family_name"))
    stage("em")
    predictions = linker.inference.predict(threshold_match_probability=options.review_threshold)
    stage("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=options.link_threshold)
    stage("cluster")
    persons = [(row["unique_id"], row["cluster_id"]) for row in clusters.as_record_list()]
    reviews = [
        (row["unique_id_l"], row["unique_id_r"], row["match_probability"])
        for row in predictions.as_record_list()
        if row["match_probability"] < options.link_threshold
    ]
    stage("results")
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    previous = start
    report = []
    for name, at in stages:
        report.append(f"{name} {at - previous:.2f}s")
        previous = at
    prior = linker._settings_obj._probability_two_random_records_match
    print(f"persons-peer: {' '.join(report)}; CPU {cpu_seconds:.2f}s in {seconds:.2f}s; prior {prior:.3g}", file=sys.stderr)
    out = sys.stdout
    out.write(f"splink {splink.__version__}\n")
    out.write(f"seconds {seconds:.6f}\n")
    for unique_id, cluster in persons:
        out.write(f"person {unique_id} {cluster}\n")
    for a, b, p in reviews:
        out.write(f"review {a} {b} {p:.6f}\n")


if __name__ == "__main__":
    main()
