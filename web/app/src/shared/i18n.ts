// zh-CN and en, switchable at any time; zh-CN when the browser asks for Chinese (any zh variant),
// en otherwise, and the user's choice remembered. One namespace per app so each app's strings
// load with it. A key missing in the active language is reported (the browser tests fail on it).
import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import adminEn from '../locales/en/admin.json';
import agentEn from '../locales/en/agent.json';
import commonEn from '../locales/en/common.json';
import supervisorEn from '../locales/en/supervisor.json';
import adminZh from '../locales/zh-CN/admin.json';
import agentZh from '../locales/zh-CN/agent.json';
import commonZh from '../locales/zh-CN/common.json';
import supervisorZh from '../locales/zh-CN/supervisor.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Keys asked for that the active language does not have (read by the browser tests). */
export const missingKeys: string[] = [];
declare global {
  interface Window {
    __sbMissingKeys?: string[];
  }
}
window.__sbMissingKeys = missingKeys;

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: {
      en: { common: commonEn, agent: agentEn, supervisor: supervisorEn, admin: adminEn },
      'zh-CN': { common: commonZh, agent: agentZh, supervisor: supervisorZh, admin: adminZh },
    },
    supportedLngs: [...LANGUAGES],
    nonExplicitSupportedLngs: false,
    fallbackLng: {
      zh: ['zh-CN'],
      'zh-TW': ['zh-CN'],
      'zh-HK': ['zh-CN'],
      default: ['en'],
    },
    defaultNS: 'common',
    ns: ['common', 'agent', 'supervisor', 'admin'],
    interpolation: { escapeValue: false },
    detection: {
      order: ['querystring', 'localStorage', 'navigator'],
      lookupQuerystring: 'lang',
      lookupLocalStorage: 'sb.lang',
      caches: ['localStorage'],
      convertDetectedLanguage: (lng: string) =>
        lng.toLowerCase().startsWith('zh') ? 'zh-CN' : lng.startsWith('en') ? 'en' : lng,
    },
    saveMissing: true,
    missingKeyHandler: (lngs, ns, key) => {
      missingKeys.push(`${lngs.join('|')}:${ns}:${key}`);
    },
  });

export function currentLanguage(): Language {
  return i18n.resolvedLanguage === 'zh-CN' ? 'zh-CN' : 'en';
}

export default i18n;
