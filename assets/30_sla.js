/* The SLA page's AG Grid value formatters (dash-ag-grid calls them by name: no eval, the CSP holds). */
(function () {
  "use strict";
  var DASH = "\u2014";
  function duration(s) {
    s = Math.max(0, Math.round(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = (h && m < 10 ? "0" : "") + m, rr = (r < 10 ? "0" : "") + r;
    return h ? h + ":" + mm + ":" + rr : m + ":" + rr;
  }
  function count(v, lang) {
    return Math.round(v).toLocaleString(lang === "en" ? "en-US" : "ru-RU");
  }
  window.dashAgGridFunctions = Object.assign({}, window.dashAgGridFunctions, {
    slaFmt: function (value, kind, lang) {
      if (value === null || value === undefined || value === "") { return DASH; }
      if (kind === "pct") { return (value * 100).toFixed(1) + "%"; }
      if (kind === "duration") { return duration(value); }
      if (kind === "count") { return count(value, lang); }
      if (kind === "score") { return Number(value).toFixed(2); }
      if (kind === "ratio") { return Number(value).toFixed(1); }
      return String(value);
    }
  });
})();
