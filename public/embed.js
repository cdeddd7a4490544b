/*
 * GPT, inside out: sizes embedded chapters. Include once on a page that has
 * <iframe src=".../embed/<slug>/"> elements:
 *   <script src="https://<this site>/embed.js" async></script>
 * Each embed posts { type: 'gpt-inside-out:resize', slug, height } to its parent; this script
 * sets the height of the iframe that sent it (matched by its window and this script's origin).
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
})();
