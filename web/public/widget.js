/* Parley widget loader. Embed with <script src="https://your-parley/widget.js" data-key="WIDGET_KEY" async></script>.
   Adds a launcher button and, on first open, the chat iframe; it styles only its own two elements (inline) and talks
   to the iframe by postMessage for open/close only, so host page and chat cannot break each other. */
(function () {
  'use strict';
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

  function setStyles(el, styles) {
    for (var name in styles) el.style.setProperty(name, styles[name], 'important');
  }

  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.setAttribute('aria-label', 'Open chat');
  launcher.setAttribute('aria-expanded', 'false');
  launcher.title = 'Open chat';
  setStyles(launcher, {
    position: 'fixed', right: '20px', bottom: '20px', width: '56px', height: '56px', margin: '0', padding: '0',
    border: '0', 'border-radius': '50%', background: '#2563eb', color: '#fff', cursor: 'pointer',
    'box-shadow': '0 4px 14px rgba(0,0,0,.25)', 'z-index': Z, display: 'flex', 'align-items': 'center',
    'justify-content': 'center', 'line-height': '0', 'min-width': '0', 'min-height': '0', 'box-sizing': 'border-box'
  });
  var CHAT_ICON = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';
  var CLOSE_ICON = '<svg width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true"><path d="M18 6 6 18M6 6l12 12"/></svg>';
  launcher.innerHTML = CHAT_ICON; // constant markup, never data

  function placeFrame() {
    if (!frame) return;
    var common = {
      position: 'fixed', border: '0', margin: '0', padding: '0', background: '#fff', 'z-index': Z,
      display: isOpen ? 'block' : 'none', 'color-scheme': 'normal', 'max-width': 'none', 'min-width': '0'
    };
    var box = phone.matches
      ? { top: '0', left: '0', right: '0', bottom: '0', width: '100%', height: '100%', 'border-radius': '0', 'box-shadow': 'none', 'max-height': 'none' }
      : { top: 'auto', left: 'auto', right: '20px', bottom: '88px', width: '380px', height: '600px', 'max-height': 'calc(100vh - 108px)', 'border-radius': '14px', 'box-shadow': '0 8px 32px rgba(0,0,0,.22)' };
    setStyles(frame, common);
    setStyles(frame, box);
    // On a phone the chat covers the screen and has its own Close button.
    setStyles(launcher, { display: isOpen && phone.matches ? 'none' : 'flex' });
  }

  function createFrame() {
    frame = document.createElement('iframe');
    frame.src = origin + '/widget/?key=' + encodeURIComponent(key);
    frame.title = 'Parley chat';
    frame.setAttribute('aria-label', 'Chat');
    document.body.appendChild(frame);
  }

  function setOpen(open) {
    isOpen = open;
    if (open && !frame) createFrame(); // created on first open, so page views that never chat start no session
    launcher.innerHTML = open ? CLOSE_ICON : CHAT_ICON;
    launcher.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    launcher.title = open ? 'Close chat' : 'Open chat';
    launcher.setAttribute('aria-expanded', String(open));
    placeFrame();
    if (open) {
      frame.focus();
      try {
        frame.contentWindow.postMessage({ type: 'parley:open' }, origin);
      } catch (e) { /* not loaded yet: the chat focuses itself when ready */ }
    } else launcher.focus();
  }

  launcher.addEventListener('click', function () { setOpen(!isOpen); });
  window.addEventListener('message', function (e) {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    if (e.data && e.data.type === 'parley:close') setOpen(false);
  });
  if (phone.addEventListener) phone.addEventListener('change', placeFrame);

  function mount() { document.body.appendChild(launcher); }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
