// Yidi web service worker: keeps the app (HTML, JS, wasm with the rules core, CSS) in a cache named
// after the build, so once loaded the app starts and works with the network cut. The filing API
// (/v1/...) is never cached: filings must reach the server or fail visibly.
const BUILD = '__BUILD__';
const CACHE = 'yidi-web-' + BUILD;
const SHELL = ['./', './index.html', './style.css?v=' + BUILD, './yidi_web.js?v=' + BUILD,
  './yidi_web_bg.wasm?v=' + BUILD, './manifest.webmanifest', './icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('yidi-web-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/v1/')) return;
  if (req.mode === 'navigate') {
    // Pages: the network first (to pick up a new build), the cached shell when offline.
    event.respondWith(fetch(req).catch(() => caches.match('./index.html', { ignoreSearch: true })));
    return;
  }
  // Versioned assets: the cache first; what is missing is fetched and kept.
  event.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((resp) => {
    if (resp.ok) { const copy = resp.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
    return resp;
  })));
});
