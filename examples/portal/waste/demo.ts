/** The waste system's demo data: the company registry behind 載入. */
import type { CompanyRecord } from 'twpki/enroll';

/** Demo 商工登記 records (統一編號 → 公司名稱, 負責人, 登記地址). */
export const DEMO_COMPANIES: readonly CompanyRecord[] = [
  {
    businessId: '12345675',
    companyName: '範例環保股份有限公司',
    representativeName: '王大明',
    registeredAddress: { postalCode: '100', address: '臺北市中正區重慶南路一段122號' },
  },
  {
    businessId: '53212539',
    companyName: '測試清運有限公司',
    representativeName: '陳志明',
    registeredAddress: { postalCode: '806', address: '高雄市前鎮區成功二路25號' },
  },
];
