/* Clientside callbacks of the shell: data age and stale state, kiosk rotation, theme, reload on deploy.
   The age is computed in the browser so that a screen turns stale even when the server is unreachable. */
(function () {
  "use strict";
  var TEXT = {
    ru: {s: "с", h: "ч", m: "мин", ago: "назад", data: "Данные", stale: "Последнее обновление {age} назад. Цифры на экране не текущие.",
         never: "Нет связи с сервером: данные ещё не получены.", source: "Источник недоступен: ",
         answered: "Отвечено", occupancy: "загрузка", down: "Недоступно: ",
         parts: {app_db: "база данных приложения", server: "сервер дашборда", snapshot_store: "хранилище снимков (Redis)",
                 telephony: "телефония (queue_log)", ticketing: "CRM"}},
    en: {s: "s", h: "h", m: "min", ago: "ago", data: "Data", stale: "Last update {age} ago. The numbers on screen are not current.",
         never: "No connection to the server: no data received yet.", source: "Source unavailable: ",
         answered: "Answered", occupancy: "occupancy", down: "Unavailable: ",
         parts: {app_db: "app database", server: "dashboard server", snapshot_store: "snapshot store (Redis)",
                 telephony: "telephony (queue_log)", ticketing: "CRM"}}
  };
  var seen = null;  // {gen, recvAt, serverNow, bad}
  var down = null;  // what the last failed callback request said is down: ["app_db"], ["server"]
  var failures = 0;

  /* Watch the callback requests Dash makes: a 503 says at once what is down (the app database), and two
     failed requests in a row mean the server is unreachable, so the screen turns stale now, not 15 s later. */
  var plainFetch = window.fetch;
  window.fetch = function (input) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var pending = plainFetch.apply(this, arguments);
    if (url.indexOf("_dash-update-component") < 0) { return pending; }
    return pending.then(function (r) {
      if (r.status === 503) {
        r.clone().json().then(function (j) { down = (j && j.down) || ["server"]; })
          .catch(function () { down = ["server"]; });
      } else if (r.status < 500) { down = null; failures = 0; }
      return r;
    }, function (e) {
      failures += 1;
      if (failures >= 2) { down = ["server"]; }
      throw e;
    });
  };

  function partNames(list, t) {
    return list.map(function (x) { return t.parts[x] || x; }).join(", ");
  }

  function fmtAge(s, t) {
    s = Math.max(0, Math.round(s));
    if (s < 60) { return s + " " + t.s; }
    var m = Math.floor(s / 60), r = s % 60;
    if (m < 60) { return m + ":" + (r < 10 ? "0" : "") + r; }
    return Math.floor(m / 60) + " " + t.h + " " + (m % 60) + " " + t.m;
  }

  function nowS() { return Date.now() / 1000; }

  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function esc(v) { return String(v == null ? "" : v).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    hotline: {
      freshness: function (nClock, fresh, config, lang) {
        var t = TEXT[lang] || TEXT.ru;
        var ctx = window.dash_clientside.callback_context;
        var byFresh = ctx && ctx.triggered && ctx.triggered.some(function (x) { return x.prop_id.indexOf("fresh") === 0; });
        if (fresh && fresh.gen && (byFresh || !seen)) {
          seen = {gen: fresh.gen, recvAt: nowS(), serverNow: fresh.now, bad: fresh.bad || []};
        }
        var limit = (config && config.stale_after_s) || 15;
        if (!seen) {
          var why = down ? t.down + partNames(down, t) + ". " : "";
          return [t.data + ": —", "age-badge age-stale", "stale-banner", why + t.never, "shell is-stale"];
        }
        var age = (nowS() - seen.recvAt) + (seen.serverNow - seen.gen);
        var stale = age > limit || seen.bad.length > 0 || down !== null;
        var text = t.stale.replace("{age}", fmtAge(age, t));
        if (seen.bad.length > 0) { text = t.source + partNames(seen.bad, t) + ". " + text; }
        if (down) { text = t.down + partNames(down, t) + ". " + text; }
        return [t.data + ": " + fmtAge(age, t) + " " + t.ago,
                "age-badge " + (stale ? "age-stale" : (age > limit / 2 ? "age-warn" : "age-ok")),
                stale ? "stale-banner" : "stale-banner hidden",
                text,
                stale ? "shell is-stale" : "shell"];
      },

      reloadOnDeploy: function (fresh, config) {
        if (fresh && fresh.auth === false) {
          window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
        } else if (fresh && config && fresh.build && config.build && fresh.build !== config.build) {
          window.location.reload();
        }
        return window.dash_clientside.no_update;
      },

      kiosk: function (search) {
        var p = new URLSearchParams(search || "");
        var on = p.get("kiosk") === "1" || p.get("kiosk") === "true";
        var pages = (p.get("rotate") || "").split(",").map(function (x) { return x.trim(); })
          .filter(function (x) { return x; }).map(function (x) { return x.charAt(0) === "/" ? x : "/" + x; });
        var every = Math.max(5, parseInt(p.get("every") || "30", 10) || 30);
        var rotating = on && pages.length > 1;
        return [{on: on, pages: pages, every: every, search: search || ""}, !rotating, every * 1000,
                on ? "navbar-wrap hidden" : "navbar-wrap"];
      },

      /* /operators: the grid's rows, joined from the changing fields of this update and the directory of names. */
      operatorRows: function (data, dir) {
        if (!data || !data.rows) { return []; }
        var entries = (dir && dir.entries) || {}, dirFields = (dir && dir.fields) || [];
        var fields = data.fields, labels = data.labels || {};
        return data.rows.map(function (values) {
          var row = {};
          fields.forEach(function (f, i) { row[f] = values[i]; });
          var who = entries[row.name] || [];
          dirFields.forEach(function (f, i) { row[f] = who[i] == null ? row.name : who[i]; });
          row.state_label = labels[row.state] || row.state;
          return row;
        });
      },

      /* /operators: one small tile per operator, coloured by state, drawn from the grid's rows. The tiles are
         written as one HTML string outside React: thousands of Dash components would take seconds per update. */
      operatorTiles: function (rows, view, lang) {
        var t = TEXT[lang] || TEXT.ru;
        var table = view === "table";
        var box = document.getElementById("ops-tiles");
        if (box) {
          box.innerHTML = table ? "" : (rows || []).map(function (r) {
            var working = r.state !== "offline";
            var what = r.state === "paused" && r.pause_reason ? r.pause_reason : r.state_label;
            var tip = [r.operator,
                       r.state_label + (r.pause_reason ? " (" + r.pause_reason + ")" : "") + (working ? ", " + r.in_state : ""),
                       t.answered + ": " + r.answered + ", AHT " + r.aht + ", " + t.occupancy + " " + r.occupancy,
                       r.team, r.queues].join("\n");
            return '<div class="op-tile st-' + esc(r.state) + '" data-state="' + esc(r.state) + '" data-operator="' +
              esc(r.name) + '" title="' + esc(tip) + '"><div class="op-name">' + esc(r.short) + '</div>' +
              '<div class="op-line"><span class="op-what">' + esc(what) + '</span><span class="op-time">' +
              esc(working ? r.in_state : "") + '</span></div></div>';
          }).join("");
        }
        return [table ? "op-tiles hidden" : "op-tiles", table ? "grid-wrap" : "grid-wrap hidden"];
      },

      rotate: function (n, kiosk, pathname) {
        if (!kiosk || !kiosk.on || kiosk.pages.length < 2) { return window.dash_clientside.no_update; }
        var i = kiosk.pages.indexOf(pathname);
        return kiosk.pages[(i + 1) % kiosk.pages.length];
      },

      applyTheme: function (theme, search) {
        var p = new URLSearchParams(search || "");
        var chosen = p.get("theme") || theme || "dark";
        document.documentElement.setAttribute("data-bs-theme", chosen);
        document.documentElement.setAttribute("data-ag-theme-mode", chosen);
        return chosen === "dark" ? "☀" : "☾";
      },

      toggleTheme: function (n, theme) {
        if (!n) { return window.dash_clientside.no_update; }
        return (theme || "dark") === "dark" ? "light" : "dark";
      },

      toggleLang: function (n, lang) {
        if (!n) { return window.dash_clientside.no_update; }
        return lang === "en" ? "ru" : "en";
      },

      langFromUrl: function (search, lang, config) {
        var p = new URLSearchParams(search || "");
        var fromUrl = p.get("lang");
        if (fromUrl === "ru" || fromUrl === "en") { return fromUrl === lang ? window.dash_clientside.no_update : fromUrl; }
        if (lang === "ru" || lang === "en") { return window.dash_clientside.no_update; }
        return (config && config.lang) || "ru";
      },

      /* /wall polls with one request per tick (the wall and the freshness feed, pages/wall.py): the shell's
         tick, which would post the feed a second time, pauses there and runs again on every other page. */
      shellTickPaused: function (pathname) {
        return pathname === "/wall";
      },

      clock: function (n, config) {
        var tz = (config && config.tz) || "Europe/Moscow";
        try {
          return new Date().toLocaleTimeString("ru-RU", {timeZone: tz, hour12: false});
        } catch (e) {
          return new Date().toLocaleTimeString();
        }
      }
    }
  });
})();

/* A screen whose session expired signs in again by itself: a wall screen with its kiosk token, a desk
   through the sign-in page. Without this, Dash would keep failing its callbacks silently (a frozen screen). */
(function () {
  "use strict";
  var EVERY_MS = 20000;
  function check() {
    fetch("/_hotline/heartbeat", {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      if (r.status !== 401) { return; }
      var here = window.location.pathname + window.location.search;
      var token = null;
      try { token = localStorage.getItem("hotline-kiosk-token"); } catch (e) {}
      window.location.href = token
        ? "/kiosk?token=" + encodeURIComponent(token) + "&next=" + encodeURIComponent(here)
        : "/login?next=" + encodeURIComponent(here);
    }).catch(function () { /* server unreachable: the stale state already says so */ });
  }
  if (window.location.pathname !== "/login") { setInterval(check, EVERY_MS); }
})();
