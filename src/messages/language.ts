/** The languages twpki's messages come in. */
export const LANGUAGES = ['zh-TW', 'en'] as const;

/** One of {@link LANGUAGES}. */
export type Language = (typeof LANGUAGES)[number];

// zh_TW, zh-TW, zh_Hant…, zh_HK/zh_MO (traditional script) read Chinese; so
// does a bare `zh`, since twpki has no simplified-Chinese catalogue.
const CHINESE = /^zh(?:$|[-_.@])/i;

/**
 * The language of a POSIX locale environment: the first set of `LC_ALL`,
 * `LC_MESSAGES`, `LANG` (POSIX precedence); Chinese for a `zh` locale,
 * English otherwise (including `C` and `POSIX`).
 */
export function languageFromLocale(env: Readonly<Record<string, string | undefined>>): Language {
  const locale = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].find((v) => v !== undefined && v !== '');
  return locale !== undefined && CHINESE.test(locale) ? 'zh-TW' : 'en';
}

/**
 * The language of an HTTP `Accept-Language` header: Chinese when a `zh`
 * range is preferred over every `en` range (by q-value, then order),
 * otherwise `fallback`.
 */
export function languageFromAcceptLanguage(header: string | undefined, fallback: Language = 'zh-TW'): Language {
  if (header === undefined || header.trim() === '') return fallback;
  let best: { language: Language; q: number } | undefined;
  for (const part of header.split(',').slice(0, 32)) {
    const [range = '', ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    const language: Language | undefined = CHINESE.test(range.trim()) ? 'zh-TW' : /^en(?:$|-)/i.test(range.trim()) ? 'en' : undefined;
    if (language !== undefined && (best === undefined || q > best.q)) best = { language, q };
  }
  return best?.language ?? fallback;
}
