// Tandem status page: verdicts live from the SSE stream (read with fetch so that a read token can
// travel in the Authorization header, which EventSource cannot send), the rest polled.
'use strict';
(function () {
  var TOKEN_KEY = 'tandem.readToken';
  var MAX_EVENT_CHARS = 1 << 20;      // a larger SSE event is dropped, not buffered without bound
  var STREAM_SILENCE_MS = 40000;      // the server sends a keep-alive every 15 s
  var MAX_BACKOFF_MS = 30000;
  // What a verdict means (its state, not only its recommendation) decides its shape, colour and
  // words: only ALL_CLEAR is a plain green dot. △ turns into ▲ when a confirmed outage fails over.
  var STATE_ICON = {
    ALL_CLEAR: '●', DEGRADED: '◐', CONFIRMING: '△', RECOVERING: '↻', NO_STANDBY: '⊘', UNKNOWN: '?',
    FAILOVER: '▲', HOLD: '■', STAY: '○'
  };
  var FAULT_WORDS = {
    COMPONENT: 'has a component fault', CLOUD_WIDE: 'fails across the cloud, below the failover threshold',
    VANTAGE: 'is watched through a failing vantage (an observer problem, not an outage)',
    TELEMETRY: 'has a silent telemetry path while its journeys pass (not an outage)'
  };
  var HEALTH = {
    HEALTHY: ['✓', 's-ok'], DEGRADED: ['◐', 's-warn'], UNHEALTHY: ['✗', 's-bad'], UNKNOWN: ['?', 's-unknown']
  };

  var st = {
    verdicts: new Map(), cards: new Map(), offset: 0, validityMs: null, firstRendered: false,
    authNeeded: false, stream: null, backoff: 1000, retryAt: 0, retryTimer: 0, lastByte: 0,
    pollTimer: 0, pollError: '', lastPoll: 0, openDetails: new Set(), connState: '', freshState: ''
  };

  function $(id) { return document.getElementById(id); }
  function token() { try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; } }
  function authHeaders(t) { t = t === undefined ? token() : t; return t ? { Authorization: 'Bearer ' + t } : {}; }
  function serverNow() { return Date.now() + st.offset; }

  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') { n.textContent = attrs[k]; } else if (k === 'cls') { n.className = attrs[k]; } else { n.setAttribute(k, attrs[k]); }
      });
    }
    (children || []).forEach(function (c) { if (c != null) { n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); } });
    return n;
  }
  function icon(ch) { return el('span', { cls: 'icon', 'aria-hidden': 'true', text: ch }); }
  function badge(ch, label, cls) { return el('span', { cls: 'badge ' + cls }, [icon(ch), label]); }

  function utc(ms) { return new Date(ms).toISOString().slice(11, 19) + ' UTC'; }
  function span(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d) { return d + ' d ' + h + ' h'; }
    if (h) { return h + ' h ' + m + ' min'; }
    if (m) { return m + ' min ' + s + ' s'; }
    return s + ' s';
  }
  function num(x, digits) { return x == null || !isFinite(x) ? '–' : Number(x).toFixed(digits); }

  // ---- HTTP -------------------------------------------------------------------------------
  function AuthError() { this.message = 'a read token is required'; }
  function getJson(path) {
    return fetch(path, { headers: authHeaders(), cache: 'no-store' }).then(function (r) {
      if (r.status === 401) { throw new AuthError(); }
      if (!r.ok) { throw new Error(path + ' answered HTTP ' + r.status); }
      return r.json();
    });
  }

  // ---- the SSE stream ---------------------------------------------------------------------
  function sseParser(onEvent) {
    var buf = '', data = [], event = '', size = 0;
    return function (chunk) {
      buf += chunk;
      var i;
      while ((i = buf.search(/\r\n|\r|\n/)) >= 0) {
        var line = buf.slice(0, i);
        buf = buf.slice(i + (buf.charAt(i) === '\r' && buf.charAt(i + 1) === '\n' ? 2 : 1));
        if (line === '') {
          if (data.length && size <= MAX_EVENT_CHARS) { onEvent(event || 'message', data.join('\n')); }
          data = []; event = ''; size = 0;
          continue;
        }
        if (line.charAt(0) === ':') { continue; }
        var c = line.indexOf(':');
        var field = c < 0 ? line : line.slice(0, c);
        var value = c < 0 ? '' : line.slice(c + 1);
        if (value.charAt(0) === ' ') { value = value.slice(1); }
        if (field === 'event') { event = value; } else if (field === 'data') { size += value.length; if (size <= MAX_EVENT_CHARS) { data.push(value); } }
      }
      if (buf.length > MAX_EVENT_CHARS) { buf = ''; }
    };
  }

  function connect() {
    if (st.authNeeded) { return; }
    clearTimeout(st.retryTimer);
    if (st.stream) { st.stream.abort(); }
    var ctl = new AbortController();
    st.stream = ctl;
    if (st.connState !== 'lost') { setConn('connecting', 'Connecting to the verdict stream…', '◌'); }
    fetch('/api/v1/verdicts/stream', { headers: Object.assign({ Accept: 'text/event-stream' }, authHeaders()), cache: 'no-store', signal: ctl.signal })
      .then(function (r) {
        if (r.status === 401) { throw new AuthError(); }
        if (!r.ok || !r.body) { throw new Error('the stream answered HTTP ' + r.status); }
        st.backoff = 1000;
        st.lastByte = Date.now();
        setConn('live', 'Live: verdicts arrive as they change', '●');
        var reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        var parse = sseParser(function (type, data) {
          if (type !== 'verdict') { return; }
          try { putVerdict(JSON.parse(data)); } catch (e) { /* one bad event is skipped; the next poll repairs */ }
        });
        function pump() {
          return reader.read().then(function (x) {
            if (x.done) { throw new Error('the server closed the stream'); }
            st.lastByte = Date.now();
            parse(x.value);
            return pump();
          });
        }
        return pump();
      })
      .catch(function (e) {
        if (st.stream !== ctl) { return; }
        if (e instanceof AuthError) { needAuth(''); return; }
        if (ctl.signal.aborted && !ctl.silent) { return; }
        lost(ctl.silent ? 'no data for ' + STREAM_SILENCE_MS / 1000 + ' s' : (e && e.message) || 'network error');
      });
  }

  function lost(why) {
    var wait = Math.round(st.backoff * (0.8 + Math.random() * 0.4));
    st.backoff = Math.min(st.backoff * 2, MAX_BACKOFF_MS);
    st.retryAt = Date.now() + wait;
    setConn('lost', 'Live stream lost: ' + why + '. Reconnecting…', '▲');
    st.retryTimer = setTimeout(connect, wait);
  }

  function setConn(state, text, ch) {
    var p = $('conn');
    p.dataset.state = state;
    p.querySelector('.icon').textContent = ch;
    if ($('conn-text').textContent !== text) { $('conn-text').textContent = text; }
    $('reconnect').hidden = state !== 'lost';
    st.connState = state;
    tickConn();
  }
  function tickConn() {
    var d = '';
    if (st.connState === 'lost') { d = st.retryAt > Date.now() ? 'next try in ' + Math.ceil((st.retryAt - Date.now()) / 1000) + ' s' : 'trying now'; }
    $('conn-detail').textContent = d;
  }

  // ---- polling (freshness, replication lag, SLOs, probes, paths) ----------------------------
  function pollEveryMs() {
    // A third of the verdict's validity: a healthy engine's verdict is refreshed well before it expires.
    return st.validityMs ? Math.min(10000, Math.max(1000, st.validityMs / 3)) : 5000;
  }
  function poll() {
    clearTimeout(st.pollTimer);
    if (st.authNeeded) { return Promise.resolve(); }
    var started = Date.now();
    return Promise.all([getJson('/api/v1/verdicts'), getJson('/api/v1/slos'), getJson('/api/v1/slos/history'),
      getJson('/api/v1/probes'), getJson('/api/v1/paths')])
      .then(function (r) {
        var list = r[0];
        st.offset = Date.parse(list.generatedAt) - Math.round((started + Date.now()) / 2);
        st.pollError = '';
        st.lastPoll = Date.now();
        $('observer').textContent = list.observer.id + ' (in ' + list.observer.cloud + ')';
        list.verdicts.forEach(putVerdict);
        renderSlos(r[1], r[2]);
        renderProbes(r[3]);
        renderPaths(r[4]);
        reveal();
      })
      .catch(function (e) {
        if (e instanceof AuthError) { needAuth(''); return; }
        st.pollError = (e && e.message) || 'network error';
        reveal();
      })
      .then(function () {
        checkFresh();
        if (!st.authNeeded) { st.pollTimer = setTimeout(poll, pollEveryMs()); }
      });
  }

  // ---- verdicts -----------------------------------------------------------------------------
  function putVerdict(v) {
    var cur = st.verdicts.get(v.domain);
    // A poll answer that left before a streamed change must not roll the page back.
    if (cur && Date.parse(cur.generatedAt) > Date.parse(v.generatedAt)) { return; }
    st.verdicts.set(v.domain, v);
    st.validityMs = Date.parse(v.validUntil) - Date.parse(v.generatedAt);
    renderDomain(v);
    if (st.revealed) { markFirstVerdict(); }
    checkFresh();
  }

  function reveal() {
    if (st.revealed) { return; }
    st.revealed = true;
    $('main').classList.remove('loading');
    if (st.verdicts.size) { markFirstVerdict(); }
  }

  // What the page-speed figure measures: navigation start to the first verdict on screen.
  function markFirstVerdict() {
    if (st.firstRendered) { return; }
    st.firstRendered = true;
    performance.mark('tandem-first-verdict');
    document.documentElement.dataset.firstVerdict = 'true';
  }

  function card(domain) {
    var c = st.cards.get(domain);
    if (c) { return c; }
    var ph = document.querySelector('#domains .placeholder');
    if (ph) { ph.remove(); }
    var hid = 'd-' + st.cards.size;
    c = {};
    c.root = el('article', { cls: 'card domain', 'data-domain': domain, 'aria-labelledby': hid });
    c.root.appendChild(el('h2', { id: hid }, ['Failover domain ', el('strong', { text: domain })]));
    c.rec = el('p', { cls: 'rec', 'aria-live': 'polite', 'aria-atomic': 'true' });
    // The state and standby lines are always there (no layout shift); their words are live
    // regions, their ticking details (a countdown) are not, so only changes are announced.
    c.stateText = el('span', { cls: 'state-text', 'aria-live': 'polite', 'aria-atomic': 'true' });
    c.stateWhen = el('span', { cls: 'state-when' });
    c.state = el('p', { cls: 'stateline' }, [icon(''), ' ', c.stateText, c.stateWhen]);
    c.drText = el('span', { cls: 'dr-text', 'aria-live': 'polite', 'aria-atomic': 'true' });
    c.drWhy = el('span', { cls: 'muted dr-why' });
    c.dr = el('p', { cls: 'drline' }, [icon(''), ' ', c.drText, ' ', c.drWhy]);
    c.reason = el('p', { cls: 'reason' });
    c.held = el('p', { cls: 'held' });
    c.clouds = el('div', { cls: 'clouds' });
    [c.rec, c.state, c.dr, c.reason, c.held, c.clouds].forEach(function (n) { c.root.appendChild(n); });
    $('domains').appendChild(c.root);
    st.cards.set(domain, c);
    return c;
  }

  function renderDomain(v) {
    var c = card(v.domain);
    var state = stateOf(v);
    var recKey = v.recommendation + '|' + state + '|' + (c.stale ? 's' : '');
    if (c.recKey !== recKey) {
      c.recKey = recKey;
      c.rec.dataset.rec = v.recommendation;
      c.rec.dataset.state = state;
      c.root.dataset.state = state;
      c.rec.textContent = '';
      c.rec.appendChild(el('span', { cls: 'vh', text: 'Recommendation for ' + v.domain + ': ' }));
      c.rec.appendChild(icon(STATE_ICON[state] || '?'));
      c.rec.appendChild(document.createTextNode(' ' + v.recommendation));
      if (c.stale) { c.rec.appendChild(el('span', { cls: 'stale-tag', text: 'STALE' })); }
    }
    renderState(c, v, state);
    if (c.reason.textContent !== v.reason) { c.reason.textContent = v.reason; }
    tickHeld(v);
    var key = JSON.stringify(v.clouds);
    if (c.cloudsKey === key) { return; }
    c.cloudsKey = key;
    var focused = document.activeElement && c.clouds.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    c.clouds.textContent = '';
    Object.keys(v.clouds).forEach(function (name) { c.clouds.appendChild(renderCloud(v.domain, name, v.clouds[name])); });
    if (focused) {
      var again = c.clouds.querySelector('[data-key="' + focused.replace(/["\\]/g, '') + '"]');
      if (again) { again.focus(); }
    }
  }

  // ---- what the verdict means: its state line and the standby (disaster recovery) line ------
  function stateOf(v) {
    if (v.state && STATE_ICON[v.state]) { return v.state; }
    return v.recommendation === 'STAY' ? 'STAY' : v.recommendation;   // a Tandem that does not say
  }
  function roles(v) {
    var r = { active: null, standby: null };
    Object.keys(v.clouds || {}).forEach(function (n) {
      if (v.clouds[n].role === 'active') { r.active = n; } else if (v.clouds[n].role === 'standby') { r.standby = n; }
    });
    return r;
  }
  function standbyWhy(name, s) {
    // The engine says why (notReady); older Tandems did not, so rebuild it from what they sent.
    if (Array.isArray(s.notReady) && s.notReady.length) { return s.notReady.join('; '); }
    var why = [];
    if (s.health !== 'HEALTHY') { why.push(name + ' is ' + s.health + (s.fault && s.fault !== 'NONE' ? ' (' + s.fault + ')' : '')); }
    if (s.replicationLagSeconds == null) {
      why.push('no fresh replication lag from ' + name);
    } else if (s.rpoSeconds != null && s.replicationLagSeconds > s.rpoSeconds) {
      why.push('replication lag ' + num(s.replicationLagSeconds, 1) + ' s is over the ' + s.rpoSeconds + ' s RPO');
    }
    return why.length ? why.join('; ') : name + "'s journeys do not pass (see its evidence)";
  }

  function stateWords(v, state, r) {
    var a = r.active || 'the active cloud', s = r.standby || 'the standby';
    var act = (v.clouds || {})[r.active] || {};
    var sb = (v.clouds || {})[r.standby];
    var ready = !sb || sb.ready !== false;
    switch (state) {
      case 'ALL_CLEAR': return 'All clear: ' + a + ' is healthy and ' + s + ' is ready to take over';
      case 'DEGRADED':
        return 'Degraded, no failover: ' + a + ' ' + (act.rule === 'brownout-below-threshold'
          ? 'browns out below the failover threshold' : FAULT_WORDS[act.fault] || 'is ' + (act.health || 'degraded'));
      case 'CONFIRMING':
        return 'Confirming an outage of ' + a + ': ' + (ready ? 'FAILOVER possible' : 'no standby is ready, so HOLD, not FAILOVER, expected');
      case 'RECOVERING': return 'Recovering: ' + a + ' works again after a cloud-wide failure, not yet for long enough to count as healthy';
      case 'NO_STANDBY': return 'No standby ready: disaster recovery unavailable';
      case 'UNKNOWN': return 'Unknown: not enough evidence to judge ' + a + ' (unknown never leads to a failover)';
      case 'FAILOVER': return 'Failover recommended: ' + a + ' is down cloud-wide and ' + s + ' is ready';
      case 'HOLD': return 'Hold, do not switch: ' + a + ' is failing cloud-wide but a switch is unsafe';
      default: return 'This Tandem does not say what the verdict means: read the reason';
    }
  }

  function renderState(c, v, state) {
    var r = roles(v);
    var text = stateWords(v, state, r);
    if (c.stale) { text = 'Stale, treat as UNKNOWN; it said: ' + text; }
    c.state.dataset.state = state;
    c.state.firstChild.textContent = STATE_ICON[state] || '?';
    if (c.stateText.textContent !== text) { c.stateText.textContent = text; }
    var sb = (v.clouds || {})[r.standby];
    var drState, drIcon, drText, why = '';
    if (!sb) {
      drState = 'none'; drIcon = '·'; drText = 'No standby configured';
    } else if (sb.ready === false) {
      drState = 'unavailable'; drIcon = '⊘';
      // Under NO_STANDBY the state line already says it: this line says why.
      drText = state === 'NO_STANDBY' ? 'Standby ' + r.standby + ' is not ready:' : 'No standby ready: disaster recovery unavailable.';
      why = standbyWhy(r.standby, sb);
    } else {
      drState = 'available'; drIcon = '✓'; drText = 'Standby ' + r.standby + ' is ready: disaster recovery available';
    }
    c.dr.dataset.state = drState;
    c.dr.firstChild.textContent = drIcon;
    if (c.drText.textContent !== drText) { c.drText.textContent = drText; }
    if (c.drWhy.textContent !== why) { c.drWhy.textContent = why; }
    tickState(v);
  }

  // The countdown to failoverPossibleAt, on the server's clock (as validUntil is judged).
  function tickState(v) {
    var c = st.cards.get(v.domain);
    var text = '';
    if (stateOf(v) === 'CONFIRMING') {
      var act = (v.clouds || {})[roles(v).active] || {};
      var at = Date.parse(act.failoverPossibleAt);
      if (isFinite(at)) {
        // The server's clock is at least at the verdict's generatedAt: the estimate from the polls
        // may trail it between two polls.
        var left = Math.ceil((at - Math.max(serverNow(), Date.parse(v.generatedAt) || 0)) / 1000);
        text = (left > 0 ? ' in ' + span(left) : ' now, if it persists') + ' (hold-down ends ' + utc(at) + ')';
      }
    }
    if (c.stateWhen.textContent !== text) { c.stateWhen.textContent = text; }
  }

  function tickHeld(v) {
    var c = st.cards.get(v.domain);
    var since = Date.parse(v.since);
    var text = v.recommendation + ' has held for ' + span((serverNow() - since) / 1000) + ' (since ' + utc(since) + ')';
    if (c.held.textContent !== text) { c.held.textContent = text; }
  }

  function renderCloud(domain, name, a) {
    var h = HEALTH[a.health] || HEALTH.UNKNOWN;
    var box = el('section', { cls: 'cloud', 'aria-label': 'Cloud ' + name });
    box.appendChild(el('h3', null, [name + ' ', el('span', { cls: 'sub', text: '(' + a.role + ')' })]));
    var dl = el('dl', { cls: 'kv' });
    function row(k, v) { dl.appendChild(el('dt', { text: k })); dl.appendChild(el('dd', null, [v])); }
    row('Role', a.role);
    row('Health', badge(h[0], a.health, h[1]));
    row('Fault', a.fault === 'NONE' ? badge('–', 'NONE', 's-ok') : badge('⚠', a.fault, a.fault === 'CLOUD_WIDE' ? 's-bad' : 's-warn'));
    if (a.rule) { row('Rule', a.rule); }
    if (a.role === 'standby') {
      row('Ready', a.ready ? badge('✓', 'ready to take over', 's-ok') : badge('✗', 'not ready', 's-bad'));
      row('Replication', lagBar(a.replicationLagSeconds, a.rpoSeconds));
    }
    box.appendChild(dl);
    var ev = a.evidence || [];
    var key = domain + '/' + name;
    var det = el('details', null, [el('summary', { 'data-key': key, text: 'Evidence (' + ev.length + ')' })]);
    if (st.openDetails.has(key)) { det.open = true; }
    det.addEventListener('toggle', function () { if (det.open) { st.openDetails.add(key); } else { st.openDetails.delete(key); } });
    var ul = el('ul', { cls: 'evidence' });
    ev.forEach(function (e) {
      ul.appendChild(el('li', null, [el('strong', { text: e.kind + (e.signal ? ' (' + e.signal + ')' : '') + ': ' }), e.detail]));
    });
    if (!ev.length) { ul.appendChild(el('li', { text: 'none' })); }
    det.appendChild(ul);
    box.appendChild(det);
    return box;
  }

  function lagBar(lag, rpo) {
    var wrap = el('div', { cls: 'lag' });
    if (lag == null) {
      wrap.appendChild(badge('?', 'no fresh replication lag (RPO ' + rpo + ' s)', 's-unknown'));
      return wrap;
    }
    var share = rpo > 0 ? lag / rpo : 1;
    var level = share > 1 ? 'bad' : share > 0.5 ? 'warn' : 'ok';
    var bar = el('div', { cls: 'bar', 'data-level': level, 'aria-hidden': 'true' }, [el('span')]);
    bar.firstChild.style.width = Math.min(100, share * 100).toFixed(1) + '%';
    wrap.appendChild(bar);
    wrap.appendChild(el('span', { cls: level === 'bad' ? 's-bad' : '', text: 'lag ' + num(lag, 1) + ' s of the ' + rpo + ' s RPO' + (share > 1 ? ' (over the RPO)' : '') }));
    return wrap;
  }

  // ---- freshness ----------------------------------------------------------------------------
  function checkFresh() {
    var p = $('fresh');
    var now = serverNow();
    var stale = [], expired = [], earliest = Infinity;
    st.verdicts.forEach(function (v, domain) {
      var until = Date.parse(v.validUntil);
      var c = st.cards.get(domain);
      var isStale = now > until;
      if (c && c.stale !== isStale) { c.stale = isStale; c.root.dataset.stale = String(isStale); c.recKey = null; renderDomain(v); }
      if (isStale) {
        stale.push(domain);
        expired.push(domain + ' expired at ' + utc(until) + ', ' + span((now - until) / 1000) + ' ago');
      }
      earliest = Math.min(earliest, until);
      tickHeld(v);
      tickState(v);
    });
    var state, text, ch, detail = '';
    if (!st.verdicts.size) {
      state = 'waiting'; ch = '◌'; text = 'Waiting for the first verdict…';
    } else if (stale.length) {
      state = 'stale'; ch = '⚠';
      text = 'Stale verdict for ' + stale.join(', ') + ': past its validUntil. Treat it as UNKNOWN and do not act on it.';
      detail = expired.join('; ');
    } else {
      state = 'fresh'; ch = '✓'; text = 'Verdicts are fresh';
      detail = 'valid until ' + utc(earliest);
    }
    if (st.pollError) { detail += (detail ? ' · ' : '') + 'last refresh failed: ' + st.pollError; }
    p.dataset.state = state;
    p.querySelector('.icon').textContent = ch;
    // The text is a live region: it changes (and is announced) only when the state does; the
    // detail next to it ticks silently.
    if ($('fresh-text').textContent !== text) { $('fresh-text').textContent = text; }
    st.freshState = state;
    $('fresh-detail').textContent = detail;
  }

  // ---- SLOs ---------------------------------------------------------------------------------
  function windowSeconds(w) {
    var m = /^(\d+)([smhdw])$/.exec(w);
    return m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2]] : 0;
  }
  function sparkline(values) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 100 20');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('aria-hidden', 'true');
    var max = Math.max(1.5, Math.max.apply(null, values.concat([0])));
    var one = document.createElementNS(ns, 'line');
    var y1 = (20 - 20 / max).toFixed(1);
    one.setAttribute('x1', '0'); one.setAttribute('x2', '100'); one.setAttribute('y1', y1); one.setAttribute('y2', y1);
    svg.appendChild(one);
    if (values.length > 1) {
      var pts = values.map(function (v, i) { return (i * 100 / (values.length - 1)).toFixed(1) + ',' + (20 - Math.min(v, max) * 19 / max).toFixed(1); });
      var line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', pts.join(' '));
      svg.appendChild(line);
    }
    return svg;
  }

  function renderSlos(slos, history) {
    var hist = new Map();
    (history.series || []).forEach(function (s) { hist.set(s.slo + '/' + s.cloud, s.samples || []); });
    var list = slos.slos || [];
    if (!list.length) { return; }
    var table = el('table');
    table.appendChild(el('caption', { cls: 'vh', text: 'Error budget and burn rates per SLO and cloud' }));
    table.appendChild(el('thead', null, [el('tr', null, ['SLO', 'Cloud', 'Objective', 'Budget left', 'Burn rate per window', 'Alerts']
      .map(function (h) { return el('th', { scope: 'col', text: h }); }))]));
    var body = el('tbody');
    list.forEach(function (s) {
      var samples = hist.get(s.slo + '/' + s.cloud) || [];
      var left = s.errorBudget.remaining;
      // No data is not good data: a series whose source went quiet (a dark cloud) shows "no data",
      // never a full budget and "none firing". The server judges silence (silenceSeconds).
      var never = s.lastEventAt == null;
      var silent = s.silent === true || (s.silent == null && never);
      var noDataRule = s.noData === true && !never;
      var level = silent ? 'nodata' : left <= 0 ? 'bad' : left < 0.25 ? 'warn' : 'ok';
      var bar = el('div', { cls: 'bar', 'data-level': level, 'aria-hidden': 'true' }, [el('span')]);
      bar.firstChild.style.width = silent ? '0%' : (Math.max(0, Math.min(1, left)) * 100).toFixed(1) + '%';
      var label = silent ? badge('?', 'no data', 's-unknown')
        : badge(level === 'ok' ? '✓' : level === 'warn' ? '◐' : '✗',
          left <= 0 ? 'spent (' + num(left * 100, 1) + ' %)' : num(left * 100, 1) + ' % left', 's-' + level);
      var heard = never ? 'no events yet'
        : silent ? 'silent for ' + span(s.lastEventAgeSeconds) + '; was ' + num(left * 100, 1) + ' %'
          : 'last event ' + span(s.lastEventAgeSeconds) + ' ago';
      var budget = el('td', null, [bar, label, el('div', { cls: 'muted heard', text: heard })]);
      if (s.coverage != null) { budget.title = 'Tandem has watched ' + num(s.coverage * 100, 1) + ' % of the SLO window'; }
      var rates = el('td');
      Object.keys(s.burnRates || {}).sort(function (a, b) { return windowSeconds(a) - windowSeconds(b); }).forEach(function (w) {
        var series = samples.map(function (x) { return x.burnRates[w]; }).filter(function (x) { return x != null && isFinite(x); });
        // Without recent events the current burn rate is unknown, not zero.
        rates.appendChild(el('div', { cls: 'rate' }, [el('span', { cls: 'muted', text: w + ' ' }), sparkline(series),
          silent ? ' –' : ' ' + num(s.burnRates[w], 2) + '×']));
      });
      var firing = s.firing || [];
      var alerts = el('td', { cls: 'alerts' });
      if (firing.length) { alerts.appendChild(badge('▲', 'firing: ' + firing.join(', '), 's-bad')); }
      if (noDataRule) {
        alerts.appendChild(badge('▲', 'no-data alert firing', 's-warn'));
      } else if (silent) {
        alerts.appendChild(badge('?', 'unknown: no data', 's-unknown'));
      } else if (!firing.length) {
        alerts.appendChild(badge('✓', 'none firing', 's-ok'));
      }
      body.appendChild(el('tr', { 'data-slo': s.slo, 'data-cloud': s.cloud, 'data-nodata': String(silent) }, [
        el('th', { scope: 'row', text: s.slo }), el('td', { text: s.cloud }),
        el('td', { text: num(s.objective * 100, 2) + ' % / ' + s.window }), budget, rates, alerts]));
    });
    table.appendChild(body);
    replace($('slos'), table);
  }

  // ---- probes -------------------------------------------------------------------------------
  function renderProbes(p) {
    var cells = p.cells || [];
    if (!cells.length) { return; }
    var vantages = (p.vantages || []).slice();
    var clouds = (p.clouds || []).slice();
    var steps = [];
    var by = new Map();
    cells.forEach(function (c) {
      if (vantages.indexOf(c.vantage) < 0) { vantages.push(c.vantage); }
      if (clouds.indexOf(c.cloud) < 0) { clouds.push(c.cloud); }
      var step = c.journey + ' / ' + c.step;
      if (steps.indexOf(step) < 0) { steps.push(step); }
      by.set(c.vantage + '|' + c.cloud + '|' + step, c);
    });
    steps.sort();
    var table = el('table');
    table.appendChild(el('caption', { cls: 'vh', text: 'Latest probe outcome per journey step, cloud and vantage' }));
    var head1 = el('tr', null, [el('th', { scope: 'col', rowspan: '2', text: 'Journey / step' })]);
    var head2 = el('tr');
    clouds.forEach(function (cl) {
      head1.appendChild(el('th', { scope: 'colgroup', colspan: String(vantages.length), text: cl }));
      vantages.forEach(function (v) { head2.appendChild(el('th', { scope: 'col', text: v })); });
    });
    table.appendChild(el('thead', null, [head1, head2]));
    var body = el('tbody');
    steps.forEach(function (step) {
      var tr = el('tr', null, [el('th', { scope: 'row', text: step })]);
      clouds.forEach(function (cl) {
        vantages.forEach(function (v) {
          var c = by.get(v + '|' + cl + '|' + step);
          var td = el('td', { cls: 'cell' });
          if (!c) {
            td.appendChild(badge('·', 'n/a', 's-unknown'));
          } else {
            // A step the latest run did not reach (an earlier step failed) shows as not run, not as its old outcome.
            var label = c.notRun ? badge('–', 'not run', 's-unknown')
              : !c.fresh ? badge('◌', 'old', 's-unknown') : c.ok ? badge('✓', 'ok', 's-ok') : badge('✗', 'fail', 's-bad');
            td.appendChild(label);
            td.title = (c.notRun ? 'not reached by the latest run; before that ' : '')
              + (c.ok ? 'ok in ' + c.latencyMs + ' ms' : c.error) + ', ' + span(c.ageSeconds) + ' ago';
            if (!c.ok) { td.appendChild(el('span', { cls: 'vh', text: ': ' + c.error })); }
          }
          tr.appendChild(td);
        });
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    replace($('probes'), table);
  }

  // ---- paths --------------------------------------------------------------------------------
  function renderPaths(p) {
    var list = p.paths || [];
    if (!list.length) { return; }
    var table = el('table');
    table.appendChild(el('caption', { cls: 'vh', text: 'Telemetry path liveness' }));
    table.appendChild(el('thead', null, [el('tr', null, ['Path', 'Cloud', 'Liveness', 'Last heartbeat']
      .map(function (h) { return el('th', { scope: 'col', text: h }); }))]));
    var body = el('tbody');
    list.forEach(function (x) {
      var live = x.lastHeartbeat == null ? badge('?', 'never heard', 's-unknown')
        : x.alive ? badge('✓', 'alive', 's-ok') : badge('✗', 'silent', 's-bad');
      body.appendChild(el('tr', null, [el('th', { scope: 'row', text: x.id }), el('td', { text: x.cloud }), el('td', null, [live]),
        el('td', { text: x.lastHeartbeat == null ? '–' : span(x.ageSeconds) + ' ago (silent after ' + p.silenceSeconds + ' s)' })]));
    });
    table.appendChild(body);
    replace($('paths'), table);
  }

  function replace(parent, child) { parent.textContent = ''; parent.appendChild(child); }

  // ---- the read token -----------------------------------------------------------------------
  function needAuth(message) {
    var had = token();
    st.authNeeded = true;
    if (st.stream) { var s = st.stream; st.stream = null; s.abort(); }
    clearTimeout(st.pollTimer);
    clearTimeout(st.retryTimer);
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage off: nothing kept */ }
    $('auth').hidden = false;
    reveal();
    $('auth-error').textContent = message || (had ? 'The saved token was refused; enter a valid read token.' : '');
    setConn('auth', 'Waiting for a read token', '⚿');
    $('token').focus();
  }

  function submitToken(ev) {
    ev.preventDefault();
    var t = $('token').value.trim();
    if (!t) { $('auth-error').textContent = 'Enter a token.'; return; }
    $('auth-error').textContent = 'Checking…';
    fetch('/api/v1/verdicts', { headers: authHeaders(t), cache: 'no-store' }).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        $('auth-error').textContent = 'That token was refused (HTTP ' + r.status + '). Check it and try again.';
        $('token').select();
        return;
      }
      try { sessionStorage.setItem(TOKEN_KEY, t); } catch (e) { /* kept for this page only */ }
      $('token').value = '';
      $('auth-error').textContent = '';
      $('auth').hidden = true;
      st.authNeeded = false;
      start();
      $('domains').focus();
    }).catch(function (e) { $('auth-error').textContent = 'Could not reach Tandem: ' + e.message; });
  }

  // ---- theme: auto (the system's), dark or light ------------------------------------------
  var THEMES = ['auto', 'dark', 'light'];
  function applyTheme(t) {
    if (t === 'auto') { delete document.documentElement.dataset.theme; } else { document.documentElement.dataset.theme = t; }
    $('theme').textContent = 'Theme: ' + t;
    $('theme').setAttribute('aria-label', 'Colour theme: ' + (t === 'auto' ? 'follows the system' : t) + '; press to change');
  }
  function savedTheme() { try { return localStorage.getItem('tandem.theme') || 'auto'; } catch (e) { return 'auto'; } }

  function start() {
    poll();
    connect();
  }

  // A browser allows six connections per server over HTTP/1.1 and the stream holds one for as long
  // as it is open: a page that is left (or put in the back/forward cache) gives it back at once.
  function pause() {
    clearTimeout(st.pollTimer);
    clearTimeout(st.retryTimer);
    if (st.stream) { var s = st.stream; st.stream = null; s.abort(); }
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('token-form').addEventListener('submit', submitToken);
    st.theme = savedTheme();
    applyTheme(st.theme);
    $('theme').addEventListener('click', function () {
      var next = THEMES[(THEMES.indexOf(st.theme) + 1) % THEMES.length];
      st.theme = next;
      try { if (next === 'auto') { localStorage.removeItem('tandem.theme'); } else { localStorage.setItem('tandem.theme', next); } } catch (e) { /* not kept */ }
      applyTheme(next);
    });
    $('reconnect').addEventListener('click', function () { st.backoff = 1000; connect(); });
    setInterval(function () {
      tickConn();
      checkFresh();
      // A stream that stopped sending even keep-alives is dead although the socket looks open.
      if (st.connState === 'live' && Date.now() - st.lastByte > STREAM_SILENCE_MS && st.stream) {
        st.stream.silent = true;
        st.stream.abort();
      }
    }, 1000);
    window.addEventListener('pagehide', pause);
    window.addEventListener('pageshow', function (e) { if (e.persisted && !st.authNeeded) { start(); } });
    start();
  });
}());
