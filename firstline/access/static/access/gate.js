// The gate page (卡口): scan → allow/deny in under a second, online or not.
//
// Every scan gets its event_id here and goes into an IndexedDB queue first. The queue is sent
// to the batch endpoint (session auth + CSRF header); the server answers each event exactly
// once, so sending a scan twice (a retry, a sync after a lost answer) records it once.
//
// Offline (no network, a timeout, or the server answering 503 / 5xx) the page decides by
// itself from the checkpoint's signed snapshot (GET /api/v1/gate/snapshot, refreshed every few
// minutes, on reconnect and after each sync): hashed pass codes, each household's trips left
// in the current window, restrictions (isolation, lockdown, fever hold), and the quota rule with
// any change saved for a later day (in force from its local midnight). The guard gets a real
// 放行/禁止 with its reason, marked "decided offline"; trips taken offline are counted from the
// queue. Each queued scan carries that decision and the snapshot's signature, so when it syncs
// the server — the judge of record — keeps both and lists every disagreement for duty staff.
// A service worker (gate-sw.js) serves this page's shell when the network is away.
// The scanner is a keyboard wedge: code + Enter. The camera uses BarcodeDetector, or the
// vendored ZXing WebAssembly ponyfill where the browser has none.
(function () {
  "use strict";
  var root = document.getElementById("gate");
  if (!root || !document.getElementById("gate-code")) return;

  var S = document.getElementById("gate-strings").dataset;
  var REASONS = JSON.parse(document.getElementById("gate-reasons").textContent);
  var NEXT = JSON.parse(document.getElementById("gate-next").textContent);
  var FEVER = parseFloat(S.feverC), MIN_C = parseFloat(S.minC), MAX_C = parseFloat(S.maxC);
  var TEMP_REQUIRED = S.tempRequired === "1";  // rule gate.temperature_required (人员进出一律测温)
  var TZ = S.tz || "Asia/Shanghai";
  var scanUrl = root.dataset.scanUrl, batchUrl = root.dataset.batchUrl;
  var snapshotUrl = root.dataset.snapshotUrl;
  var SNAPSHOT_EVERY_MS = parseInt(root.dataset.snapshotEvery || "180", 10) * 1000;
  var csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { /* none */ }

  var codeInput = document.getElementById("gate-code");
  var tempInput = document.getElementById("gate-temp");
  var cpSelect = document.getElementById("gate-checkpoint");
  var result = document.getElementById("gate-result");
  var log = document.getElementById("gate-log");
  var net = document.getElementById("gate-net");
  var queueBadge = document.getElementById("gate-queue");
  var snapBadge = document.getElementById("gate-snapshot");
  var lastEvent = null;
  var reachable = navigator.onLine;  // false after a failed request, until one succeeds

  // Remember the checkpoint of this device.
  var savedCp = window.localStorage && localStorage.getItem("firstline.gate.checkpoint");
  // The server's choice (?checkpoint=, or the gate of the user's current shift) wins.
  if (savedCp && !cpSelect.dataset.chosen) {
    for (var i = 0; i < cpSelect.options.length; i++) {
      if (cpSelect.options[i].value === savedCp) cpSelect.value = savedCp;
    }
  }
  cpSelect.addEventListener("change", function () {
    if (window.localStorage) localStorage.setItem("firstline.gate.checkpoint", cpSelect.value);
    snapshot = null;
    loadSnapshot().then(refreshSnapshot);
    focusCode();
  });

  // --- IndexedDB: the queue and the snapshots ---------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open("firstline-gate", 2);
    req.onupgradeneeded = function () {
      var db = req.result;
      if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "event_id" });
      if (!db.objectStoreNames.contains("snapshots")) db.createObjectStore("snapshots", { keyPath: "checkpoint" });
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });

  function tx(store, mode, fn) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var out = fn(t.objectStore(store));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function queueAdd(scan) { return tx("queue", "readwrite", function (s) { s.put(scan); }); }
  function queueAll() {
    return tx("queue", "readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return rows.sort(function (a, b) { return a.seq - b.seq; });
    });
  }
  function queueDelete(ids) {
    return tx("queue", "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
  }
  function queueCount() { return tx("queue", "readonly", function (s) { return s.count(); }); }

  // --- SHA-256 (the snapshot holds pass codes hashed; crypto.subtle needs HTTPS) -----------
  var K = [];
  (function () {
    var n = 2, found = 0;
    function frac(x) { return ((x - Math.floor(x)) * 4294967296) | 0; }
    while (found < 64) {
      var prime = true;
      for (var d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
      if (prime) K[found++] = frac(Math.pow(n, 1 / 3));
      n++;
    }
  })();
  function sha256hex(text) {
    var bytes = unescape(encodeURIComponent(text)), l = bytes.length, words = [], i;
    for (i = 0; i < l; i++) words[i >> 2] |= bytes.charCodeAt(i) << (24 - (i % 4) * 8);
    words[l >> 2] |= 0x80 << (24 - (l % 4) * 8);
    words[((l + 8) >> 6 << 4) + 15] = l * 8;
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var W = [];
    function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var j = 0; j < words.length; j += 16) {
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        if (i < 16) W[i] = words[j + i] | 0;
        else {
          var w15 = W[i - 15], w2 = W[i - 2];
          W[i] = (W[i - 16] + (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3)) + W[i - 7] +
            (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10))) | 0;
        }
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    return H.map(function (x) { return ("0000000" + (x >>> 0).toString(16)).slice(-8); }).join("");
  }

  // --- helpers --------------------------------------------------------------------------
  function uuid4() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  function fmt(s, n) { return s.replace("{n}", n); }
  function direction() { return root.querySelector("input[name=direction]:checked").value; }
  function focusCode() { codeInput.focus(); }
  function normalize(code) { return code.replace(/\s+/g, "").replace(/-/g, "").toUpperCase().slice(0, 64); }
  // The local day (FIRSTLINE_TIME_ZONE, not the phone's zone) of a moment, as YYYY-MM-DD.
  var dayFmt = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" });
  function localDay(d) { return dayFmt.format(d); }
  var timeFmt = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  function hhmmss(d) { return isNaN(d.getTime()) ? "--:--:--" : timeFmt.format(d); }
  function dayNumber(iso) { var p = iso.split("-"); return Date.UTC(+p[0], +p[1] - 1, +p[2]) / 86400000; }
  function isoOfDay(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }

  function updateCount() {
    return queueCount().then(function (n) {
      queueBadge.textContent = fmt(S.waiting, n);
      queueBadge.dataset.count = n;
      queueBadge.className = "badge" + (n ? " warn" : "");
    });
  }
  function updateNet() {
    var on = navigator.onLine && reachable;
    net.textContent = on ? S.online : S.offline;
    net.className = "badge " + (on ? "ok" : "bad");
  }
  function setReachable(on) { reachable = on; updateNet(); }

  // --- the verdict ------------------------------------------------------------------------
  function show(kind, verdict, why, left, extra) {
    extra = extra || {};
    result.className = "gate-result " + kind + (extra.offline ? " offline" : "");
    result.dataset.reason = extra.reason || "";
    result.querySelector(".verdict").textContent = verdict;
    result.querySelector(".why").textContent = why;
    result.querySelector(".left").textContent = left || "";
    var h = extra.household;
    result.querySelector(".household").textContent = h ? h.address + " · " + fmt(S.members, h.members) : "";
    result.querySelector(".next").textContent = extra.next || "";
    result.querySelector(".notified").textContent = extra.notified ? fmt(S.notified, extra.notified) : "";
    result.querySelector(".mode").textContent = extra.offline ? S.decidedOffline : "";
  }
  function leftText(r) {
    if (r.decision !== "allow" && r.reason !== "quota_exhausted") return "";
    if (r.direction === "in" && r.decision === "allow" && (r.remaining === null || r.remaining === undefined)) return "";
    return r.remaining === null || r.remaining === undefined ? S.nolimit : fmt(S.left, r.remaining);
  }
  function showAnswer(r, offline) {
    var next = r.next_step || (r.decision === "deny" ? NEXT[r.reason] || "" : "");
    if (r.next_window) next += " " + fmt(S.nextWindow, r.next_window);
    show(r.decision === "allow" ? "allow" : "deny", r.decision === "allow" ? S.allow : S.deny,
      REASONS[r.reason] || r.reason, leftText(r),
      { household: r.household, next: next, notified: r.notified, offline: offline, reason: r.reason });
  }

  function logEntry(scan) {
    var li = document.createElement("li");
    li.id = "ev-" + scan.event_id;
    li.dataset.event = scan.event_id;
    var hh = hhmmss(new Date(scan.scanned_at));
    // Line one: time, direction, the code's end and the verdict; line two: why (access.css).
    li.innerHTML = "<time></time> <b class=dir></b> <code></code> <span class=state></span> <span class=why></span>";
    li.querySelector("time").textContent = hh;
    li.querySelector(".dir").textContent = scan.direction === "out" ? S.out : S.in;
    li.querySelector("code").textContent = "…" + scan.pass_code.slice(-4);
    setState(li, "pending", S.pending);
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 12) log.removeChild(log.lastChild);
  }
  function setState(li, kind, text, why, offline) {
    if (!li) return;
    li.className = kind + (offline ? " offline-" + offline : "");
    li.dataset.state = kind;
    li.querySelector(".state").textContent = text;
    li.querySelector(".why").textContent = why || "";
  }
  function settle(r) {
    var li = document.getElementById("ev-" + r.event_id);
    var why = REASONS[r.reason] || r.reason;
    if (r.offline_agrees === false) why += " · " + S.disagrees;
    setState(li, r.decision, r.decision === "allow" ? S.allow : S.deny, why);
    if (li && r.offline_agrees === false) li.classList.add("disagrees");
    if (r.event_id === lastEvent && !result.classList.contains("offline")) showAnswer(r, false);
    noteAnswer(r);
  }

  // --- the snapshot -----------------------------------------------------------------------
  var snapshot = null;
  function snapshotStatus() {
    if (!snapshot) { snapBadge.textContent = S.noSnapshot; snapBadge.className = "badge warn"; snapBadge.dataset.at = ""; return; }
    snapBadge.textContent = fmt(S.snapshotAt, hhmmss(new Date(snapshot.generated_at)).slice(0, 5));
    snapBadge.className = "badge";
    snapBadge.dataset.at = snapshot.generated_at;
  }
  function loadSnapshot() {
    var cp = cpSelect.value;
    return tx("snapshots", "readonly", function (s) { return s.get(cp); }).then(function (snap) {
      if (snap && cp === cpSelect.value) snapshot = snap;
      snapshotStatus();
    }, function () { snapshotStatus(); });
  }
  function refreshSnapshot() {
    var cp = cpSelect.value;
    if (!cp || !snapshotUrl) return Promise.resolve();
    return get(snapshotUrl + "?checkpoint=" + encodeURIComponent(cp)).then(function (resp) {
      if (!resp.ok) throw new Error("http " + resp.status);
      return resp.json();
    }).then(function (snap) {
      snap.fetched_at = new Date().toISOString();
      if (cp === cpSelect.value) snapshot = snap;
      snapshotStatus();
      return tx("snapshots", "readwrite", function (s) { s.put(snap); });
    }).catch(function () { /* keep the one we have */ });
  }
  // An online answer keeps the snapshot's trips left up to date until the next refresh.
  function noteAnswer(r) {
    if (!snapshot || !r.household || r.remaining === null || r.remaining === undefined) return;
    var h = snapshot.households[String(r.household.id)];
    if (h) h.left = r.remaining;
  }

  // The quota rule in force at a moment: the snapshot's, or a change saved for a later day
  // once its moment has come (snapshot.quota_next, in the order they come into force).
  function quotaAt(moment) {
    var rule = snapshot.quota;
    (snapshot.quota_next || []).forEach(function (n) {
      if (new Date(n.from) <= moment) rule = n;
    });
    return rule;
  }
  function windowOf(q, day) {
    if (!q.closed || day < q.starts_on) return null;
    var offset = dayNumber(day) - dayNumber(q.starts_on);
    return isoOfDay(dayNumber(q.starts_on) + Math.floor(offset / q.window_days) * q.window_days);
  }

  // Judge a scan as the server would, from the snapshot: null when it cannot (no snapshot of
  // this checkpoint, or one older than the rule "gate.offline_max_age_hours").
  function judgeLocally(scan, queued) {
    var t = scan.temperature;
    var fever = snapshot ? snapshot.rules.fever_c : FEVER;
    var lo = snapshot ? snapshot.rules.min_c : MIN_C, hi = snapshot ? snapshot.rules.max_c : MAX_C;
    if (t !== null && (t < lo || t > hi)) return { decision: "deny", reason: "bad_temperature" };
    if (!snapshot || snapshot.checkpoint !== scan.checkpoint) return null;
    if (t === null && snapshot.rules.temperature_required) return { decision: "deny", reason: "temperature_required" };
    var age = (new Date(scan.scanned_at) - new Date(snapshot.generated_at)) / 3600000;
    if (age > snapshot.max_age_hours) return null;
    var entry = snapshot.passes[sha256hex(snapshot.salt + ":" + normalize(scan.pass_code)).slice(0, 24)];
    if (!entry) return { decision: "deny", reason: "pass_unknown" };
    var hid = entry[0], h = snapshot.households[String(hid)];
    var household = h ? { id: hid, address: h.address, members: h.members } : null;
    var out = { household: household, household_id: hid };
    function v(decision, reason, remaining) {
      out.decision = decision; out.reason = reason; out.remaining = remaining; return out;
    }
    if (entry[1]) return v("deny", "pass_revoked");
    if (t !== null && t >= fever) return v("deny", "fever");
    var moment = new Date(scan.scanned_at);
    var rule = quotaAt(moment);
    var w = windowOf(rule, localDay(moment));
    out.window = w;
    var left = null;
    if (w !== null && h) {
      // The trips left the snapshot counted are of its own rule's current window; any other
      // window (a later one, or a new rule's first) starts whole.
      left = rule === snapshot.quota && w === rule.window_start ? h.left : rule.quota;
      // Trips this gate let out offline, not yet synced (so not in the snapshot).
      (queued || []).forEach(function (q) {
        if (q.offline && q.offline.decision === "allow" && q.direction === "out" &&
            q.offline.household_id === hid && q.offline.window === w) left -= 1;
      });
      left = Math.max(left, 0);
    }
    if (scan.direction === "in") return v("allow", "ok", left);
    if (h && h.restriction) return v("deny", h.restriction);
    if (w === null) return v("allow", "ok", null);
    if (left <= 0) return v("deny", "quota_exhausted", 0);
    return v("allow", "ok", left - 1);
  }

  // Decide the queued scans that have no answer yet, oldest first, and show the last one.
  function decideOffline() {
    return queueAll().then(function (rows) {
      var chain = Promise.resolve();
      rows.forEach(function (scan, idx) {
        if (scan.offline) return;
        var r = judgeLocally(scan, rows.slice(0, idx));
        var li = document.getElementById("ev-" + scan.event_id);
        if (!r) {
          if (scan.event_id === lastEvent) show("pending", S.pending, S.pendingWhy, "", {});
          return;
        }
        scan.offline = { decision: r.decision, reason: r.reason, household_id: r.household_id || null,
          window: r.window || null, snapshot: snapshot ? snapshot.signature : null };
        chain = chain.then(function () { return queueAdd(scan); });
        setState(li, "pending", r.decision === "allow" ? S.allow : S.deny,
          (REASONS[r.reason] || r.reason) + " · " + S.decidedOffline, r.decision);
        if (scan.event_id === lastEvent) { r.direction = scan.direction; showAnswer(r, true); }
      });
      return chain;
    });
  }

  // --- scanning -------------------------------------------------------------------------
  var seq = Date.now();
  var READY = [result.querySelector(".verdict").textContent,
               result.querySelector(".why").textContent];
  function submit(raw) {
    var code = (raw || "").trim();
    if (!code) {
      // Enter with nothing scanned: back to "Ready", so the last person's verdict is not
      // read as the next one's.
      show("idle", READY[0], READY[1], "");
      return;
    }
    // As the server's one parser reads it (firstline/rules/temperature.py): "36,6℃", "３６．６".
    var tRaw = tempInput.value.normalize("NFKC").replace(/\s+/g, "")
      .replace(/(°[cC]?|[cC]|度|摄氏度|攝氏度)$/, "").replace(",", ".");
    var temperature = tRaw === "" ? null : Number(tRaw);
    if (temperature === null && TEMP_REQUIRED) {
      // Measure first: keep the code, nothing is sent or counted.
      codeInput.value = code;
      show("deny", S.needtemp, "", "");
      tempInput.focus();
      return;
    }
    if (temperature !== null && !isFinite(temperature)) {
      // Not a number (三十七, abc): a typo to correct before the scan is judged. Keep the
      // code so the guard need not scan again; nothing is sent or recorded.
      codeInput.value = code;
      show("deny", S.badtemp, "", "", {});
      tempInput.focus();
      tempInput.select();
      return;
    }
    var scan = {
      event_id: uuid4(), checkpoint: cpSelect.value, pass_code: code, direction: direction(),
      temperature: temperature, scanned_at: new Date().toISOString(), seq: seq++
    };
    lastEvent = scan.event_id;
    codeInput.value = "";
    tempInput.value = "";
    focusCode();
    logEntry(scan);
    var online = navigator.onLine && reachable;
    if (online) show("pending", S.checking, "", "", {});
    queueAdd(scan).then(updateCount).then(function () {
      return online ? sync() : decideOffline();
    }, function () {
      // No IndexedDB (a locked-down or private browser): send it straight away, unqueued.
      post(scanUrl, strip(scan)).then(function (resp) {
        if (!resp.ok) throw new Error("http " + resp.status);
        return resp.json().then(settle);
      }).catch(function () { show("pending", S.pending, S.pendingWhy, "", {}); });
    });
  }

  codeInput.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); submit(codeInput.value); }
  });
  tempInput.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    // A scanner firing while the temperature field has the focus: that is a code (pass codes
    // are long). Something short that is not a number is a typo in the temperature: say so
    // and keep it for correcting, instead of sending it as a pass code.
    var value = tempInput.value.trim();
    if (value.length >= 12) {
      tempInput.value = "";
      submit(value);
    } else if (value !== "" && !isFinite(Number(value.replace(",", ".")))) {
      show("deny", S.badtemp, "", "", {});
      tempInput.select();
    } else {
      focusCode();
    }
  });
  // One input always focused: clicks on anything that is not a control bring it back.
  document.addEventListener("click", function (ev) {
    if (!ev.target.closest("input, select, button, a, summary, label, video")) focusCode();
  });
  root.querySelectorAll("input[name=direction]").forEach(function (el) {
    el.addEventListener("change", focusCode);
  });

  // --- sync -----------------------------------------------------------------------------
  var syncing = false, again = false, stopped = false, retryTimer = null;

  function request(url, opts, ms) {
    var ctrl = new AbortController();
    var timer = setTimeout(function () { ctrl.abort(); }, ms);
    opts.signal = ctrl.signal;
    opts.credentials = "same-origin";
    return fetch(url, opts).finally(function () { clearTimeout(timer); });
  }
  function post(url, body) {
    return request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }, 5000);
  }
  function get(url) { return request(url, { headers: { "Accept": "application/json" } }, 15000); }
  function strip(scan) {
    var body = { event_id: scan.event_id, checkpoint: scan.checkpoint, pass_code: scan.pass_code,
      direction: scan.direction, temperature: scan.temperature, scanned_at: scan.scanned_at };
    if (scan.offline) {
      body.offline = { decision: scan.offline.decision, reason: scan.offline.reason,
        snapshot: scan.offline.snapshot };
    }
    return body;
  }
  // The server is unavailable (503 with Retry-After, another 5xx, a timeout, no network):
  // the same as offline — decide locally, keep the queue, try again later.
  function unavailable(resp) {
    var err = new Error("unavailable");
    if (resp && resp.headers) err.retryAfter = parseInt(resp.headers.get("Retry-After") || "", 10);
    return err;
  }

  // A batch with a malformed scan is refused whole (422): send its scans one by one and drop
  // the ones the server cannot read, so one bad scan never blocks the queue.
  function oneByOne(chunk) {
    return chunk.reduce(function (p, scan) {
      return p.then(function () {
        return post(scanUrl, strip(scan)).then(function (resp) {
          if (resp.status === 422) {
            setState(document.getElementById("ev-" + scan.event_id), "deny", S.rejected);
            return queueDelete([scan.event_id]);
          }
          if (!resp.ok) throw unavailable(resp);
          return resp.json().then(function (r) { settle(r); return queueDelete([scan.event_id]); });
        });
      });
    }, Promise.resolve());
  }

  // 503 "unavailable" (the server's database is restarting): handled as being offline — the
  // scans stay queued, the same event_ids are sent again — after the Retry-After it asked for.
  function retryAfter(resp) {
    var s = parseInt(resp.headers.get("Retry-After"), 10);
    setTimeout(sync, (s > 0 && s <= 300 ? s : 15) * 1000);
  }

  function sync() {
    if (stopped) return Promise.resolve();
    if (syncing) { again = true; return Promise.resolve(); }
    syncing = true;
    var drained = false;
    return queueAll().then(function (rows) {
      if (!rows.length) return null;
      var chunk = rows.slice(0, 100);
      return post(batchUrl, { scans: chunk.map(strip) }).then(function (resp) {
        if (resp.status === 401 || resp.status === 403) {
          stopped = true;
          show("pending", S.pending, S.login, "", {});
          return null;
        }
        if (resp.status === 422) return oneByOne(chunk).then(function () { again = true; });
        if (!resp.ok) throw unavailable(resp);
        setReachable(true);
        return resp.json().then(function (body) {
          body.results.forEach(settle);
          drained = drained || chunk.some(function (scan) { return !!scan.offline; });
          return queueDelete(body.results.map(function (r) { return r.event_id; }));
        }).then(function () { if (rows.length > chunk.length) again = true; });
      });
    }).catch(function (err) {
      setReachable(false);
      if (err && err.retryAfter > 0 && !retryTimer) {
        retryTimer = setTimeout(function () { retryTimer = null; reachable = true; sync(); }, err.retryAfter * 1000);
      }
      return decideOffline();
    }).then(function () {
      syncing = false;
      return updateCount();
    }).then(function () {
      if (again) { again = false; return sync(); }
      // Trips let out offline are in the server's counts now: take a fresh snapshot.
      if (drained) return refreshSnapshot();
    });
  }

  window.addEventListener("online", function () { reachable = true; updateNet(); sync().then(refreshSnapshot); });
  window.addEventListener("offline", function () { updateNet(); });
  setInterval(function () { if (navigator.onLine) sync(); }, 15000);
  setInterval(function () { if (navigator.onLine) refreshSnapshot(); }, SNAPSHOT_EVERY_MS);
  updateNet();
  loadSnapshot().then(function () { return navigator.onLine ? refreshSnapshot() : null; })
    .then(updateCount).then(sync);

  // --- the page's shell offline: a service worker ------------------------------------------
  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // Keep what this page needs (its own URLs, hashed or not) for when the network is away.
      var urls = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=icon]").forEach(function (el) {
        urls.push(el.href || el.src);
      });
      if (reg.active) reg.active.postMessage({ cache: urls });
    }).catch(function () { /* no offline shell: the rest still works */ });
  }

  // --- camera: BarcodeDetector, or the vendored ZXing WebAssembly ponyfill -----------------
  var camBtn = document.getElementById("gate-camera");
  var video = document.getElementById("gate-video");
  function detectorClass() {
    if ("BarcodeDetector" in window) return Promise.resolve(window.BarcodeDetector);
    if (window.BarcodeDetectionAPI) return Promise.resolve(window.BarcodeDetectionAPI.BarcodeDetector);
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = root.dataset.ponyfillUrl;
      s.onload = function () {
        var api = window.BarcodeDetectionAPI;
        api.prepareZXingModule({
          overrides: { locateFile: function (path, prefix) {
            return path.slice(-5) === ".wasm" ? root.dataset.wasmUrl : prefix + path;
          } }
        });
        resolve(api.BarcodeDetector);
      };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    camBtn.hidden = false;
    var stream = null;
    var stop = function () {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null; video.hidden = true;
    };
    camBtn.addEventListener("click", function () {
      if (stream) { stop(); focusCode(); return; }
      detectorClass().then(function (Detector) {
        var detector = new Detector({ formats: ["qr_code"] });
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
          stream = s; video.srcObject = s; video.hidden = false; video.play();
          var tick = function () {
            if (!stream) return;
            if (video.readyState < 2) { setTimeout(tick, 200); return; }
            detector.detect(video).then(function (codes) {
              if (codes.length) { stop(); submit(codes[0].rawValue); } else { setTimeout(tick, 250); }
            }).catch(function () { setTimeout(tick, 500); });
          };
          tick();
        });
      }).catch(function () { show("pending", S.pending, S.nocamera, "", {}); });
    });
  }
  focusCode();
})();
