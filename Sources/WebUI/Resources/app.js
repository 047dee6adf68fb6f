// ReentryBus web UI: live updates of the inbox, the one place script earns its keep.
//
// The hook: the inbox list carries data-live-source, the URL of a Server-Sent Events stream
// of the signed-in user's notifications (the gateway's GET /v1/stream once it lands, reached
// through a page route that accepts the session cookie). While the attribute is empty nothing
// connects: the page works without script, and reloading it shows what arrived.
// On each event the page says that new notifications arrived and offers to show them; it does
// not rearrange the list under the reader's cursor.
(function () {
  "use strict";
  function connectLiveInbox() {
    var list = document.getElementById("inbox-list");
    var notice = document.getElementById("live-notice");
    if (!list || !notice || !window.EventSource) return;
    var source = list.getAttribute("data-live-source");
    if (!source) return;
    var stream = new EventSource(source, { withCredentials: true });
    stream.addEventListener("message", function () { notice.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", connectLiveInbox);
})();
