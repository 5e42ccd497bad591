// A readable browser and system from a user agent string ("Chrome 131 on macOS"), for the agents' visitor details.
// A short table rather than a parser package: the common browsers and systems, their major version; anything else
// falls back to the raw string (the details panel shows it in full on hover).

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\b(?:OPR|Opera)\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bYaBrowser\/(\d+)/, 'Yandex Browser'],
  [/\bFxiOS\/(\d+)/, 'Firefox'],
  [/\bFirefox\/(\d+)/, 'Firefox'],
  [/\bCriOS\/(\d+)/, 'Chrome'],
  [/\bHeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/\bChromium\/(\d+)/, 'Chromium'],
  [/\bChrome\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+(?:\.\d+)?)(?:\.\d+)*(?: Mobile\/\S+)? Safari\//, 'Safari'],
  [/\bMSIE (\d+)|\bTrident\/.*\brv:(\d+)/, 'Internet Explorer'],
];

const SYSTEMS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/\b(?:iPhone|CPU) OS (\d+)(?:_(\d+))?/, (m) => `iOS ${m[1]}${m[2] ? `.${m[2]}` : ''}`],
  [/\biPad\b.*\bOS (\d+)(?:_(\d+))?/, (m) => `iPadOS ${m[1]}${m[2] ? `.${m[2]}` : ''}`],
  [/\bAndroid (\d+(?:\.\d+)?)/, (m) => `Android ${m[1]}`],
  [/\bCrOS\b/, () => 'ChromeOS'],
  [/\bWindows NT 10\.0/, () => 'Windows'],
  [/\bWindows NT 6\.3/, () => 'Windows 8.1'],
  [/\bWindows NT 6\.1/, () => 'Windows 7'],
  [/\bWindows\b/, () => 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, () => 'macOS'],
  [/\bLinux\b/, () => 'Linux'],
];

/** "Chrome 131 on macOS", "Safari 17.1 on iOS 17.1", or the start of the raw string when nothing is recognised. */
export function describeUserAgent(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  let browser: string | undefined;
  for (const [re, name] of BROWSERS) {
    const m = ua.match(re);
    if (m) {
      const version = m.slice(1).find(Boolean);
      browser = version ? `${name} ${version}` : name;
      break;
    }
  }
  let system: string | undefined;
  for (const [re, name] of SYSTEMS) {
    const m = ua.match(re);
    if (m) {
      system = name(m);
      break;
    }
  }
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? (ua.length > 60 ? `${ua.slice(0, 60)}…` : ua);
}
