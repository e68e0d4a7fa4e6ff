/**
 * The XSS corpus of RELIABILITY H1: payloads that would run script, add elements or navigate if they reached the
 * page unescaped. Each one that runs calls `alert` (counted as a dialog) or sets `window.__xss` (a marker global).
 */
export const XSS_PAYLOADS: readonly string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT>alert(2)</SCRIPT>',
  '<script src="data:text/javascript,alert(3)"></script>',
  '</script><script>alert(4)</script>',
  '</pre><script>alert(5)</script><pre>',
  '</textarea><script>alert(6)</script>',
  '</title><script>alert(7)</script>',
  '<img src=x onerror=alert(8)>',
  '<img src="x" onerror="window.__xss=9">',
  '"><img src=x onerror=alert(10)>',
  "'><img src=x onerror=alert(11)>",
  '" onmouseover="alert(12)" x="',
  "' autofocus onfocus='alert(13)' x='",
  '<svg onload=alert(14)>',
  '<svg><script>alert(15)</script></svg>',
  '<svg><animate onbegin=alert(16) attributeName=x dur=1s>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(17)>',
  '<iframe src="javascript:alert(18)"></iframe>',
  '<iframe srcdoc="<script>parent.alert(19)</script>"></iframe>',
  '<object data="javascript:alert(20)"></object>',
  '<embed src="javascript:alert(21)">',
  '<body onload=alert(22)>',
  '<details open ontoggle=alert(23)>',
  '<input autofocus onfocus=alert(24)>',
  '<video><source onerror=alert(25)></video>',
  '<audio src=x onerror=alert(26)>',
  '<marquee onstart=alert(27)>x</marquee>',
  '<a href="javascript:alert(28)">click</a>',
  'javascript:alert(29)',
  'JaVaScRiPt:alert(30)',
  ' javascript:alert(31)',
  'java\tscript:alert(32)',
  'data:text/html,<script>alert(33)</script>',
  'vbscript:msgbox(34)',
  '<base href="javascript:alert(35)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(36)">',
  '<link rel=stylesheet href="data:text/css,*{color:red}">',
  '<style>*{background:url("javascript:alert(38)")}</style>',
  '<form action="javascript:alert(39)"><button>go</button></form>',
  '&lt;script&gt;alert(40)&lt;/script&gt;',
  '&#60;script&#62;alert(41)&#60;/script&#62;',
  '\\u003cscript\\u003ealert(42)\\u003c/script\\u003e',
  '%3Cscript%3Ealert(43)%3C%2Fscript%3E',
  '\u2028<script>alert(44)</script>\u2029',
  '<scr<script>ipt>alert(45)</scr</script>ipt>',
  '<!--<script>alert(46)</script>-->',
  '<![CDATA[<script>alert(47)</script>]]>',
  '{{constructor.constructor("alert(48)")()}}',
  '$' + '{alert(49)}', // split so no tool reads it as a template placeholder
  '<noscript><p title="</noscript><img src=x onerror=alert(50)>">',
  '<template><script>alert(51)</script></template><img src=x onerror=alert(51)>',
  '<x onclick=alert(52)>click me</x>',
  '"><svg/onload=window.__xss=53>',
  '<a href="http://example.test/" onclick="alert(54)">http://example.test/</a>',
  'http://example.test/"><script>alert(55)</script>',
  '/second/"><img src=x onerror=alert(56)>',
  '<plaintext>',
  '<xmp><script>alert(58)</script></xmp>',
  '<isindex type=image src=1 onerror=alert(59)>',
  '<frameset onload=alert(60)>',
];

/** Payloads usable as an HTTP header value (Latin-1, no control characters). */
export const HEADER_PAYLOADS: readonly string[] = XSS_PAYLOADS.filter((payload) =>
  /^[\u0020-\u007e\u00a0-\u00ff]*$/.test(payload),
);

/** A header over 160 characters with commas, the shape of CVE-2024-21520 (DRF's `break_long_headers`). */
export const LONG_HEADER_PAYLOAD = `${'item, '.repeat(30)}<script>alert(61)</script>, "><img src=x onerror=alert(62)>, end`;
