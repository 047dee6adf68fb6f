/// Tools that apply the contracts in `Topics/` to a Kafka cluster: creating the topics they
/// describe, and publishing files of events after validating every record.
public enum ContractTools {}
