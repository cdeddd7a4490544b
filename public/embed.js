/*
 * GPT, inside out: sizes embedded chapters. Include once on a page that has
 * <iframe src=".../embed/<slug>/"> elements:
 *   <script src="https://<this site>/embed.js" async></script>
 * Each embed posts { type: 'gpt-inside-out:resize', slug, height } to its parent; this script
 * sets the height of the iframe that sent it (matched by its window and this script's origin).
 * On start it sends { type: 'gpt-inside-out:hello' } to those frames, which then report again.
 */
(function () {
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : null;
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || data.type !== 'gpt-inside-out:resize' || typeof data.height !== 'number') return;
    if (origin && event.origin !== origin) return;
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        var h = Math.max(200, Math.min(2000, Math.round(data.height)));
        frames[i].style.height = h + 'px';
        frames[i].setAttribute('data-gpt-inside-out', data.slug);
      }
    }
  });
  // This script is loaded async: an embed may have sent its height before the listener above
  // existed. Ask every frame of this site to send it again.
  if (origin) {
    var all = document.getElementsByTagName('iframe');
    for (var j = 0; j < all.length; j++) {
      var src = all[j].getAttribute('src');
      if (src && new URL(src, location.href).origin === origin && all[j].contentWindow) {
        // '*': a frame still loading holds about:blank, and a greeting carries nothing secret.
        all[j].contentWindow.postMessage({ type: 'gpt-inside-out:hello' }, '*');
      }
    }
  }
})();
