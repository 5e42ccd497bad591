/* Parley widget loader. Embed with <script src="https://your-parley/widget.js" data-key="WIDGET_KEY" async></script>.
   Adds a launcher button and, on first open, the chat iframe; it styles only its own two elements (inline) and talks
   to the iframe by postMessage only (open/close, and the visitor's page and identity), so host page and chat cannot
   break each other.
   Before showing anything it reads the widget's look (colour, corner) from /api/widget/KEY/appearance; a website the
   workspace did not allow is refused there (403 ORIGIN_NOT_ALLOWED) and gets no launcher, only a console warning.
   Commands: window.Parley('identify', {name, email, ...attributes}), queued before this script loads by the snippet's
   stub: window.Parley = window.Parley || function () { (Parley.q = Parley.q || []).push(arguments) }.
   The page the visitor is on (and its referrer) travels in the iframe's #fragment at start (never sent to a server
   by the browser), then by postMessage when the page changes (history navigation) or identify is called. */
(() => {
  var script = document.currentScript;
  if (!script) {
    var candidates = document.querySelectorAll('script[src*="widget.js"][data-key]');
    script = candidates[candidates.length - 1];
  }
  if (!script) return;
  var key = script.getAttribute('data-key');
  if (!key) {
    console.warn('Parley: add data-key="…" to the widget script tag');
    return;
  }
  var registry = (window.__parleyWidgets = window.__parleyWidgets || {});
  if (registry[key]) return; // the same widget embedded twice
  registry[key] = true;

  var origin = new URL(script.src, location.href).origin;
  var Z = '2147483000';
  var phone = window.matchMedia('(max-width: 480px)');
  var frame = null;
  var isOpen = false;
  var side = 'right'; // the admin's position: bottom-right or bottom-left

  function setStyles(el, styles) {
    for (var name in styles) el.style.setProperty(name, styles[name], 'important');
  }

  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.setAttribute('aria-label', 'Open chat');
  launcher.setAttribute('aria-expanded', 'false');
  launcher.title = 'Open chat';
  setStyles(launcher, {
    position: 'fixed',
    bottom: '20px',
    width: '56px',
    height: '56px',
    margin: '0',
    padding: '0',
    border: '0',
    'border-radius': '50%',
    background: '#2563eb',
    color: '#fff',
    cursor: 'pointer',
    'box-shadow': '0 4px 14px rgba(0,0,0,.25)',
    'z-index': Z,
    display: 'flex',
    'align-items': 'center',
    'justify-content': 'center',
    'line-height': '0',
    'min-width': '0',
    'min-height': '0',
    'box-sizing': 'border-box',
  });
  var CHAT_ICON =
    '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';
  var CLOSE_ICON =
    '<svg width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true"><path d="M18 6 6 18M6 6l12 12"/></svg>';
  launcher.innerHTML = CHAT_ICON; // constant markup, never data

  function placeFrame() {
    if (!frame) return;
    var common = {
      position: 'fixed',
      border: '0',
      margin: '0',
      padding: '0',
      background: '#fff',
      'z-index': Z,
      display: isOpen ? 'block' : 'none',
      'color-scheme': 'normal',
      'max-width': 'none',
      'min-width': '0',
    };
    var box = phone.matches
      ? {
          top: '0',
          left: '0',
          right: '0',
          bottom: '0',
          width: '100%',
          height: '100%',
          'border-radius': '0',
          'box-shadow': 'none',
          'max-height': 'none',
        }
      : {
          top: 'auto',
          left: side === 'left' ? '20px' : 'auto',
          right: side === 'left' ? 'auto' : '20px',
          bottom: '88px',
          width: '380px',
          height: '600px',
          'max-height': 'calc(100vh - 108px)',
          'border-radius': '14px',
          'box-shadow': '0 8px 32px rgba(0,0,0,.22)',
        };
    setStyles(frame, common);
    setStyles(frame, box);
    // On a phone the chat covers the screen and has its own Close button.
    setStyles(launcher, { display: isOpen && phone.matches ? 'none' : 'flex' });
  }

  // What the chat is told about the visitor: the page (and referrer) they are on, and identify's name/e-mail/attributes.
  var visitor = { pageUrl: location.href, referrer: document.referrer || undefined };
  function tellFrame() {
    if (frame?.contentWindow) frame.contentWindow.postMessage({ type: 'parley:visitor', visitor: visitor }, origin);
  }
  function identify(info) {
    if (!info || typeof info !== 'object') return;
    var attributes = {};
    for (var k in info) {
      var v = info[k];
      if (k === 'name' || k === 'email') visitor[k] = v == null ? '' : String(v);
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k] = v;
    }
    if (Object.keys(attributes).length) visitor.attributes = attributes;
    tellFrame();
  }
  function command(name, arg) {
    if (name === 'identify') identify(arg);
    else console.warn('Parley: unknown command ' + name);
  }
  var queued = window.Parley?.q || [];
  window.Parley = (name, arg) => {
    command(name, arg);
  };
  for (var i = 0; i < queued.length; i++) command(queued[i][0], queued[i][1]);
  // Navigation within the page (history API, hash): the chat is told the new address.
  function pageMaybeChanged() {
    if (location.href === visitor.pageUrl) return;
    visitor.pageUrl = location.href;
    tellFrame();
  }
  window.addEventListener('popstate', pageMaybeChanged);
  window.addEventListener('hashchange', pageMaybeChanged);
  setInterval(pageMaybeChanged, 2000);

  function createFrame() {
    frame = document.createElement('iframe');
    // The page's origin, for the chat to name when it starts (the server also checks it; browsers enforce
    // frame-ancestors on the chat page itself).
    frame.src =
      origin +
      '/widget/?key=' +
      encodeURIComponent(key) +
      '&embedOrigin=' +
      encodeURIComponent(location.origin) +
      '#visitor=' +
      encodeURIComponent(JSON.stringify(visitor));
    frame.title = 'Parley chat';
    frame.setAttribute('aria-label', 'Chat');
    document.body.appendChild(frame);
  }

  function setOpen(open) {
    isOpen = open;
    if (open && !frame) createFrame(); // created on first open, so page views that never chat start no session
    if (open) remember();
    launcher.innerHTML = open ? CLOSE_ICON : CHAT_ICON;
    launcher.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    launcher.title = open ? 'Close chat' : 'Open chat';
    launcher.setAttribute('aria-expanded', String(open));
    placeFrame();
    if (open) {
      frame.focus();
      try {
        frame.contentWindow.postMessage({ type: 'parley:open' }, origin);
      } catch (_e) {
        /* not loaded yet: the chat focuses itself when ready */
      }
    } else launcher.focus();
  }

  launcher.addEventListener('click', () => {
    setOpen(!isOpen);
  });
  window.addEventListener('message', (e) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    if (e.data && e.data.type === 'parley:close') setOpen(false);
    if (e.data && e.data.type === 'parley:ready') tellFrame(); // identify may have come while it loaded
  });
  if (phone.addEventListener) phone.addEventListener('change', placeFrame);

  // A visitor who opened the chat in this tab gets it (closed) on the next pages too, so agents see where they are.
  var activeKey = 'parley.active.' + key;
  function remember() {
    try {
      sessionStorage.setItem(activeKey, '1');
    } catch (_e) {
      /* storage blocked: the page is reported when the chat is next opened */
    }
  }
  function wasActive() {
    try {
      return sessionStorage.getItem(activeKey) === '1';
    } catch (_e) {
      return false;
    }
  }

  /** Text colour readable on `hex` (#rrggbb): white when it reaches 4.5:1, else near-black. */
  function onColour(hex) {
    var lum = [1, 3, 5]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return 1.05 / (l + 0.05) >= 4.5 ? '#fff' : '#111827';
  }

  function apply(look) {
    if (look && /^#[0-9a-f]{6}$/i.test(look.color))
      setStyles(launcher, { background: look.color, color: onColour(look.color) });
    side = look && look.position === 'bottom-left' ? 'left' : 'right';
    setStyles(launcher, side === 'left' ? { left: '20px', right: 'auto' } : { right: '20px', left: 'auto' });
  }

  function mount() {
    document.body.appendChild(launcher);
    if (wasActive() && !frame) {
      createFrame();
      placeFrame();
    }
  }
  function mountWhenReady() {
    if (document.body) mount();
    else document.addEventListener('DOMContentLoaded', mount);
  }
  apply(null);
  fetch(origin + '/api/widget/' + encodeURIComponent(key) + '/appearance', { credentials: 'omit' })
    .then((r) =>
      r.json().then(
        (body) => ({ status: r.status, body: body }),
        () => ({ status: r.status }),
      ),
    )
    .then(
      (answer) => {
        if (answer.status === 200) {
          apply(answer.body);
          mountWhenReady();
        } else if (answer.status === 403 || answer.status === 404) {
          var why = answer.body?.error ? answer.body.error.message : 'HTTP ' + answer.status;
          console.warn('Parley: the chat widget is not shown on ' + location.origin + ': ' + why);
        } else mountWhenReady(); // a passing server hiccup: the default look, the chat says if it cannot start
      },
      () => mountWhenReady(),
    );
})();
