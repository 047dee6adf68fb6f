// ReentryBus web UI: live updates of the inbox, the one place script earns its keep.
//
// The inbox list carries data-live-source: /ui/stream?after=<position>, the gateway's live
// stream of the signed-in user's notifications (Server-Sent Events, by the session cookie),
// starting after the last notification the page could show. For each notification event the
// script fetches that notification's card as the server renders it (/ui/notifications/{id}/card:
// the same template, every field escaped there), inserts it at the top of the list and announces
// it in the live region. Nothing from the event is ever inserted as HTML: the event only names
// the id; the announcement is set with textContent. Without script the page still works: reload
// it to see what arrived.
(function () {
  "use strict";
  var ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  function countText(list) {
    var count = list.querySelectorAll("li.card").length;
    return (count === 1 ? "1 notification" : count + " notifications") + ", newest first.";
  }

  function connectLiveInbox() {
    var list = document.getElementById("inbox-list");
    var notice = document.getElementById("live-notice");
    if (!list || !notice || !window.EventSource || !window.fetch || !window.DOMParser) return;
    var source = list.getAttribute("data-live-source");
    if (!source) return;
    // Cards are fetched one after another, so they are inserted in the order they arrived.
    var queue = Promise.resolve();

    function announce(text) {
      notice.textContent = text;
      notice.hidden = false;
    }

    function insert(id) {
      // Already on the page (it arrived while the page was read): nothing to add.
      if (document.getElementById("n-" + id)) return Promise.resolve();
      return fetch("/ui/notifications/" + id + "/card", { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("card " + response.status);
          return response.text();
        })
        .then(function (html) {
          if (document.getElementById("n-" + id)) return;
          var card = new DOMParser().parseFromString(html, "text/html").querySelector("li.card");
          if (!card) return;
          card = document.importNode(card, true);
          card.classList.add("live-new");
          list.insertBefore(card, list.firstChild);
          var empty = document.getElementById("inbox-empty");
          if (empty) empty.hidden = true;
          var count = document.getElementById("inbox-count");
          if (count) count.textContent = countText(list);
          var title = card.querySelector(".summary");
          announce("New notification: " + (title ? title.textContent.trim() : "open the inbox's first card."));
        })
        .catch(function () {
          announce("A new notification arrived but could not be shown. Reload the page to see it.");
        });
    }

    var stream = new EventSource(source);
    stream.addEventListener("notification", function (event) {
      var id;
      try {
        id = JSON.parse(event.data).notification.id;
      } catch (error) {
        return;
      }
      if (typeof id !== "string" || !ID.test(id)) return;
      queue = queue.then(function () { return insert(id); });
    });
    stream.addEventListener("error", function () {
      // The browser reconnects by itself (resuming after the last event); a refused stream
      // (the session ended) is closed for good.
      if (stream.readyState === EventSource.CLOSED) {
        announce("Live updates stopped. Reload the page to continue (you may need to sign in again).");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", connectLiveInbox);
})();
