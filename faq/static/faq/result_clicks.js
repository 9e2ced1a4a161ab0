// Tells the search report which result was opened for a query: the query, the page and its
// rank, sent as the link is followed. Nothing about the reader is sent or stored.
(function () {
  "use strict";
  var list = document.querySelector("[data-click-url]");
  if (!list || !navigator.sendBeacon) { return; }
  var endpoint = list.getAttribute("data-click-url");
  var query = list.getAttribute("data-query");
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".recommended-title a, .search-hit-title a");
    if (!link) { return; }
    var rank = "0";
    var hit = link.closest(".search-hit");
    if (hit) {
      var hits = Array.prototype.slice.call(document.querySelectorAll(".search-hit"));
      var first = parseInt(list.getAttribute("data-first") || "1", 10);
      rank = String(first + hits.indexOf(hit));
    }
    var data = new URLSearchParams({ q: query, to: link.getAttribute("href"), rank: rank });
    navigator.sendBeacon(endpoint, data);
  });
})();
