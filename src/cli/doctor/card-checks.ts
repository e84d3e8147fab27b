import { HiCOSCard, type HiCOSCardInfo } from '../../apdu/index.js';
import { moicaLifecycle, parseCertificate, type CertificateProfile, type MoicaLifecycle } from '../../cert/index.js';
import { PcscContext } from '../../pcsc/index.js';
import { taipeiDate, taipeiDateTimeSeconds, taipeiDayOf } from '../../shared/taipei-time.js';
import { check, reason, type DoctorCheck } from './doctor-check.js';

const REMEDY_PCSCD = {
  zhTW: '請安裝並啟動讀卡機服務 pcscd（Debian/Ubuntu：sudo apt install pcscd && sudo systemctl start pcscd）',
  en: 'Install and start the PC/SC service pcscd (Debian/Ubuntu: sudo apt install pcscd && sudo systemctl start pcscd)',
} as const;
const REMEDY_READER = { zhTW: '請連接讀卡機，並確認驅動程式已安裝', en: 'Connect a card reader and check that its driver is installed' } as const;
const REMEDY_CARD = { zhTW: '請將憑證IC卡插入讀卡機（晶片朝上、朝內）', en: 'Insert the certificate card into the reader (chip up, facing in)' } as const;
const REMEDY_UNREADABLE = {
  zhTW: '卡片無法讀取：請確認為 HiCOS 憑證IC卡、重新插卡，並關閉其他占用讀卡機的程式',
  en: 'The card could not be read: check it is a HiCOS certificate card, re-insert it, and close programs that hold the reader',
} as const;

/*
 * Dates as the holder reads them and as the form counts them: Taiwan (UTC+8) dates, whatever the computer's time
 * zone (a UTC date is a day early before 08:00 Taiwan time). A time printed says it is Taiwan time. A window's
 * last day is named with （含）/"by": it stays open to that day's end.
 */
const day = taipeiDate;
const instant = {
  en: (d: Date): string => `${taipeiDateTimeSeconds(d)} Taiwan time`,
  zhTW: (d: Date): string => `${taipeiDateTimeSeconds(d)}（臺灣時間）`,
};

/** The detail of an expired certificate: the date, and until when a MOICA one can still be renewed. */
function expiredDetail(notAfter: Date, span: string, life: MoicaLifecycle | undefined): { en: string; zhTW: string } {
  const renewUntil = life?.stage === 'expired-renewable' ? life.renewalClosesAt : undefined;
  return {
    en: `expired on ${instant.en(notAfter)} (${span})${renewUntil ? `; renewable online through ${day(renewUntil)}` : ''}`,
    zhTW: `已於 ${instant.zhTW(notAfter)}到期（${span}）${renewUntil ? `；可於 ${day(renewUntil)}（含）前線上展期` : ''}`,
  };
}

/*
 * Past renewal the form offers a new card: 線上換發 up to a year after the card's end 「8年到期（含展期期間）」,
 * for a certificate valid until then, so only for one that ran to that end (not renewable); otherwise
 * 「請本人親至任一戶政事務所付費重新申辦」. 展期 is never named: it is what the holder can no longer do.
 */
function expiredRemedy(life: MoicaLifecycle | undefined): { en: string; zhTW: string } {
  if (life === undefined) return { zhTW: '憑證已逾期且無法展期，請重新申請憑證', en: 'The certificate has expired and cannot be renewed: apply for a new one' };
  if (life.stage === 'expired-renewable') {
    const until = day(life.renewalClosesAt);
    return { zhTW: `憑證已逾期：請於 ${until}（含）前線上辦理展期`, en: `The certificate has expired: renew it online by ${until}` };
  }
  if (!life.renewable && life.at.getTime() <= life.replacementClosesAt.getTime()) {
    const until = day(life.replacementClosesAt);
    return {
      zhTW: `憑證已逾期，已達使用期限：請於 ${until}（含）前至內政部憑證管理中心網站申請線上換發新卡，或本人親至任一戶政事務所重新申辦`,
      en: `The certificate has expired at the end of its card's use: apply for a new card online at MOICA (線上換發) by ${until}, or in person at any household registration office`,
    };
  }
  return {
    zhTW: '憑證已逾期，已達使用期限：請本人親至任一戶政事務所重新申辦',
    en: 'The certificate has expired at the end of its card\'s use: apply for a new card in person at any household registration office',
  };
}

/**
 * Where a certificate stands at `now`. A MOICA certificate is placed in its
 * lifecycle by the certificate layer's rule (renewal window, renewable after
 * expiry, 8-year maximum and 線上換發); other authorities publish no such rule here, so only
 * their validity dates count.
 */
function validityCheck(id: string, label: string, profile: CertificateProfile, now: Date): DoctorCheck {
  const { notBefore, notAfter } = profile.validity;
  const title = { zhTW: `憑證效期（${label}）`, en: `Certificate validity (${label})` };
  const span = `${day(notBefore)} – ${day(notAfter)}`;
  // Taiwan calendar days, as moicaLifecycle counts them: 60 on the day the renewal window opens.
  const daysLeft = taipeiDayOf(notAfter) - taipeiDayOf(now);
  const life = profile.authority.id === 'moica' ? moicaLifecycle(profile, { at: now }) : undefined;
  if (now < notBefore) {
    return check(id, title, 'fail', { en: `not valid before ${instant.en(notBefore)} (${span})`, zhTW: `${instant.zhTW(notBefore)}前尚未生效（${span}）` }, { zhTW: '憑證尚未生效，請確認電腦時間', en: 'The certificate is not yet valid: check the computer clock' });
  }
  if (now > notAfter) {
    return check(id, title, 'fail', expiredDetail(notAfter, span, life), expiredRemedy(life));
  }
  if (life?.stage === 'renewal-window') {
    return check(id, title, 'warn', { en: `${daysLeft} days left (${span}); the renewal window is open`, zhTW: `剩 ${daysLeft} 天（${span}），已可辦理展期` }, {
      zhTW: `憑證將於 ${daysLeft} 天後到期，請儘早辦理展期`,
      en: `The certificate expires in ${daysLeft} days: renew it soon`,
    });
  }
  if (life?.stage === 'replacement-window') {
    // 「原憑證即將8年到期（含展期期間）前60天」: renewal cannot extend it; a new card is mailed (about 7 working days).
    return check(
      id,
      title,
      'warn',
      { en: `${daysLeft} days left (${span}); the card's use ends, online replacement (線上換發) is open`, zhTW: `剩 ${daysLeft} 天（${span}），已達使用期限，可申請線上換發` },
      {
        zhTW: `憑證將於 ${daysLeft} 天後到期且已達使用期限：請至內政部憑證管理中心網站申請線上換發新卡，或本人親至任一戶政事務所重新申辦`,
        en: `The certificate expires in ${daysLeft} days at the end of its card's use: apply for a new card online at MOICA (線上換發), or in person at any household registration office`,
      },
    );
  }
  return check(id, title, 'ok', { en: `${daysLeft} days left (${span})`, zhTW: `剩 ${daysLeft} 天（${span}）` });
}

function cardChecks(reader: string, info: HiCOSCardInfo, now: Date): DoctorCheck[] {
  const sign = info.certificates.find((c) => c.usage === 'SIGN') ?? info.certificates[0];
  let profile: CertificateProfile | undefined;
  try {
    profile = sign ? parseCertificate(sign.der) : undefined;
  } catch {
    profile = undefined;
  }
  const authority = profile ? `${profile.authority.id}${profile.authority.generation ? ` ${profile.authority.generation}` : ''}${profile.authority.test ? ' (test)' : ''}` : 'unknown';
  // A card without the card-number file (EF 0900/0903) reports ''.
  const number = { en: info.cardNumber === '' ? 'unknown' : info.cardNumber, zhTW: info.cardNumber === '' ? '不明' : info.cardNumber };
  const checks = [
    check(
      `card:${reader}`,
      { zhTW: `IC卡（${reader}）`, en: `Card (${reader})` },
      profile ? 'ok' : 'fail',
      {
        en: `HiCOS Gen${info.generation}, 卡號 ${number.en}, ${info.certificates.length} certificates, authority ${authority}`,
        zhTW: `HiCOS 第${info.generation}代，卡號 ${number.zhTW}，憑證 ${info.certificates.length} 張，發證機關 ${authority}`,
      },
      REMEDY_UNREADABLE,
    ),
  ];
  if (profile) checks.push(validityCheck(`validity:${reader}`, sign?.label ?? 'cert1', profile, now));
  return checks;
}

/** What {@link pcscChecks} found besides its report: the readers holding a card. */
export interface PcscFindings {
  /** The report lines. */
  checks: DoctorCheck[];
  /** Readers with a readable card, in listing order. */
  cardReaders: string[];
}

/**
 * pcscd reachable, readers attached, and for each reader (or only `reader`)
 * its card: generation, 卡號, authority, validity and renewal window. Reads
 * only what needs no PIN.
 */
export async function pcscChecks(options: { reader?: string; now: Date }): Promise<PcscFindings> {
  let context: PcscContext;
  try {
    context = await PcscContext.establish({ startupTimeoutMs: 5_000 });
  } catch (error) {
    return { checks: [check('pcscd', { zhTW: '讀卡機服務（pcscd）', en: 'PC/SC service (pcscd)' }, 'fail', reason(error), REMEDY_PCSCD)], cardReaders: [] };
  }
  const checks = [check('pcscd', { zhTW: '讀卡機服務（pcscd）', en: 'PC/SC service (pcscd)' }, 'ok', { en: 'reachable', zhTW: '可連線' })];
  const cardReaders: string[] = [];
  try {
    const all = context.readers();
    const readers = all.filter((r) => options.reader === undefined || r.name === options.reader);
    // A name that matches no reader is not repeated (it could be a PIN typed after --reader): the readers are listed.
    const listed = all.length > 0 ? all.map((r) => `"${r.name}"`) : undefined;
    checks.push(
      check(
        'readers',
        { zhTW: '讀卡機', en: 'Card readers' },
        readers.length > 0 ? 'ok' : 'fail',
        readers.length > 0
          ? readers.map((r) => r.name).join(', ')
          : options.reader
            ? {
                en: `no reader has the name given with --reader or TWPKI_READER (not repeated here); readers: ${listed?.join(', ') ?? 'none'}`,
                zhTW: `沒有名稱與 --reader 或 TWPKI_READER 相符的讀卡機（名稱不在此重複）；現有讀卡機：${listed?.join('、') ?? '無'}`,
              }
            : { en: 'none', zhTW: '沒有讀卡機' },
        REMEDY_READER,
      ),
    );
    const withCard = readers.filter((r) => r.cardPresent);
    if (readers.length > 0 && withCard.length === 0) {
      checks.push(check('card', { zhTW: 'IC卡', en: 'Card' }, 'fail', { en: 'no card in any reader', zhTW: '讀卡機中沒有IC卡' }, REMEDY_CARD));
    }
    for (const r of withCard) {
      try {
        const session = await context.connect(r.name, { timeoutMs: 10_000 });
        try {
          const card = await HiCOSCard.open(session);
          checks.push(...cardChecks(r.name, await card.info(), options.now));
          cardReaders.push(r.name);
        } finally {
          await session.disconnect();
        }
      } catch (error) {
        checks.push(check(`card:${r.name}`, { zhTW: `IC卡（${r.name}）`, en: `Card (${r.name})` }, 'fail', reason(error), REMEDY_UNREADABLE));
      }
    }
  } finally {
    await context.close();
  }
  return { checks, cardReaders };
}
