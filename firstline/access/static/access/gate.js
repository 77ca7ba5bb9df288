// The gate page (卡口): scan → allow/deny in under a second, and keep working offline.
//
// Every scan gets its event_id here and goes into an IndexedDB queue first. The queue is sent
// to the batch endpoint (session auth + CSRF header); the server answers each event exactly
// once, so sending a scan twice (a retry, a sync after a lost answer) records it once. While
// the network is away, scans are judged locally as "pending" (fever and typos are shown at
// once) and synced when it returns. The scanner is a keyboard wedge: code + Enter.
(function () {
  "use strict";
  var root = document.getElementById("gate");
  if (!root || !document.getElementById("gate-code")) return;

  var S = document.getElementById("gate-strings").dataset;
  var REASONS = JSON.parse(document.getElementById("gate-reasons").textContent);
  var FEVER = parseFloat(S.feverC), MIN_C = parseFloat(S.minC), MAX_C = parseFloat(S.maxC);
  var scanUrl = root.dataset.scanUrl, batchUrl = root.dataset.batchUrl;
  var csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { /* none */ }

  var codeInput = document.getElementById("gate-code");
  var tempInput = document.getElementById("gate-temp");
  var cpSelect = document.getElementById("gate-checkpoint");
  var result = document.getElementById("gate-result");
  var log = document.getElementById("gate-log");
  var net = document.getElementById("gate-net");
  var queueBadge = document.getElementById("gate-queue");
  var lastEvent = null;

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
    focusCode();
  });

  // --- IndexedDB queue ------------------------------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open("firstline-gate", 1);
    req.onupgradeneeded = function () {
      req.result.createObjectStore("queue", { keyPath: "event_id" });
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });

  function tx(mode, fn) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("queue", mode);
        var out = fn(t.objectStore("queue"));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function queueAdd(scan) { return tx("readwrite", function (s) { s.put(scan); }); }
  function queueAll() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return rows.sort(function (a, b) { return a.seq - b.seq; });
    });
  }
  function queueDelete(ids) {
    return tx("readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
  }
  function queueCount() { return tx("readonly", function (s) { return s.count(); }); }

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

  function updateCount() {
    return queueCount().then(function (n) {
      queueBadge.textContent = fmt(S.waiting, n);
      queueBadge.dataset.count = n;
      queueBadge.className = "badge" + (n ? " warn" : "");
    });
  }
  function updateNet() {
    var on = navigator.onLine;
    net.textContent = on ? S.online : S.offline;
    net.className = "badge " + (on ? "ok" : "bad");
  }

  function show(kind, verdict, why, left) {
    result.className = "gate-result " + kind;
    result.querySelector(".verdict").textContent = verdict;
    result.querySelector(".why").textContent = why;
    result.querySelector(".left").textContent = left || "";
  }
  function leftText(r) {
    if (r.decision !== "allow" && r.reason !== "quota_exhausted") return "";
    return r.remaining === null || r.remaining === undefined ? S.nolimit : fmt(S.left, r.remaining);
  }
  function showAnswer(r) {
    show(r.decision === "allow" ? "allow" : "deny", r.decision === "allow" ? S.allow : S.deny,
      REASONS[r.reason] || r.reason, leftText(r));
  }

  function logEntry(scan) {
    var li = document.createElement("li");
    li.id = "ev-" + scan.event_id;
    li.dataset.event = scan.event_id;
    var t = new Date(scan.scanned_at);
    var hh = ("0" + t.getHours()).slice(-2) + ":" + ("0" + t.getMinutes()).slice(-2) + ":" +
      ("0" + t.getSeconds()).slice(-2);
    li.innerHTML = "<time></time> <b class=dir></b> <code></code> <span class=state></span>";
    li.querySelector("time").textContent = hh;
    li.querySelector(".dir").textContent = scan.direction === "out" ? S.out : S.in;
    li.querySelector("code").textContent = "…" + scan.pass_code.slice(-4);
    setState(li, "pending", S.pending);
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 12) log.removeChild(log.lastChild);
  }
  function setState(li, kind, text) {
    if (!li) return;
    li.className = kind;
    li.dataset.state = kind;
    li.querySelector(".state").textContent = text;
  }
  function settle(r) {
    var li = document.getElementById("ev-" + r.event_id);
    setState(li, r.decision, (r.decision === "allow" ? S.allow : S.deny) + " · " +
      (REASONS[r.reason] || r.reason));
    if (r.event_id === lastEvent) showAnswer(r);
  }

  // --- scanning -------------------------------------------------------------------------
  var seq = Date.now();
  function submit(raw) {
    var code = (raw || "").trim();
    if (!code) return;
    var tRaw = tempInput.value.trim().replace(",", ".");
    var temperature = tRaw === "" ? null : Number(tRaw);
    if (temperature !== null && !isFinite(temperature)) {
      // Not a number (三十七, abc): a typo to correct before the scan is judged. Keep the
      // code so the guard need not scan again; nothing is sent or recorded.
      codeInput.value = code;
      show("deny", S.badtemp, "", "");
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
    // Local judgement, shown until the server answers (or as "pending" while offline).
    if (temperature !== null && (temperature < MIN_C || temperature > MAX_C)) {
      show("deny", S.deny, S.badtemp, "");
    } else if (temperature !== null && temperature >= FEVER) {
      show("deny", S.deny, S.fever, "");
    } else {
      show("pending", S.checking, "", "");
    }
    logEntry(scan);
    queueAdd(scan).then(updateCount).then(sync, function () {
      // No IndexedDB (a locked-down or private browser): send it straight away, unqueued.
      post(scanUrl, strip(scan)).then(function (resp) {
        if (!resp.ok) throw new Error("http " + resp.status);
        return resp.json().then(settle);
      }).catch(function () { show("pending", S.pending, S.pendingWhy, ""); });
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
      show("deny", S.badtemp, "", "");
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
  var syncing = false, again = false, stopped = false;

  function post(url, body) {
    var ctrl = new AbortController();
    var timer = setTimeout(function () { ctrl.abort(); }, 8000);
    return fetch(url, {
      method: "POST", credentials: "same-origin", signal: ctrl.signal,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).finally(function () { clearTimeout(timer); });
  }
  function strip(scan) {
    return { event_id: scan.event_id, checkpoint: scan.checkpoint, pass_code: scan.pass_code,
      direction: scan.direction, temperature: scan.temperature, scanned_at: scan.scanned_at };
  }

  function offline() {
    if (lastEvent) {
      var li = document.getElementById("ev-" + lastEvent);
      if (li && li.dataset.state === "pending" && result.classList.contains("pending")) {
        show("pending", S.pending, S.pendingWhy, "");
      }
    }
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
          if (!resp.ok) throw new Error("http " + resp.status);
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
    return queueAll().then(function (rows) {
      if (!rows.length) return null;
      var chunk = rows.slice(0, 100);
      return post(batchUrl, { scans: chunk.map(strip) }).then(function (resp) {
        if (resp.status === 401 || resp.status === 403) {
          stopped = true;
          show("pending", S.pending, S.login, "");
          return null;
        }
        if (resp.status === 422) return oneByOne(chunk).then(function () { again = true; });
        if (resp.status === 503) retryAfter(resp);
        if (!resp.ok) throw new Error("http " + resp.status);
        return resp.json().then(function (body) {
          body.results.forEach(settle);
          return queueDelete(body.results.map(function (r) { return r.event_id; }));
        }).then(function () { if (rows.length > chunk.length) again = true; });
      });
    }).catch(function () { offline(); }).then(function () {
      syncing = false;
      return updateCount();
    }).then(function () {
      if (again) { again = false; return sync(); }
    });
  }

  window.addEventListener("online", function () { updateNet(); sync(); });
  window.addEventListener("offline", function () { updateNet(); offline(); });
  setInterval(function () { if (navigator.onLine) sync(); }, 15000);
  updateNet();
  updateCount().then(sync);

  // --- camera (where the browser has BarcodeDetector; the scanner path never needs it) ---
  var camBtn = document.getElementById("gate-camera");
  var video = document.getElementById("gate-video");
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    camBtn.hidden = false;
    var stream = null;
    var stop = function () {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null; video.hidden = true;
    };
    camBtn.addEventListener("click", function () {
      if (stream) { stop(); focusCode(); return; }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s; video.srcObject = s; video.hidden = false; video.play();
        var tick = function () {
          if (!stream) return;
          detector.detect(video).then(function (codes) {
            if (codes.length) { stop(); submit(codes[0].rawValue); } else { setTimeout(tick, 250); }
          }).catch(function () { setTimeout(tick, 500); });
        };
        tick();
      }).catch(function () { show("pending", S.pending, S.nocamera, ""); });
    });
  }
  focusCode();
})();
