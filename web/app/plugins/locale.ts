// The language the viewer picked (LanguageSwitch writes the aleflix_lang cookie), applied on
// the server render and in the browser; without the cookie the site is in pt-BR.
import { LOCALE_COOKIE } from '~/utils/cookies';

export default defineNuxtPlugin({
  name: 'aleflix:locale',
  // After the i18n module has set its own (default) locale.
  dependsOn: ['i18n:plugin', 'i18n:plugin:route-locale-detect'],
  async setup(nuxtApp) {
    const wanted = useCookie<string | null>(LOCALE_COOKIE, { default: () => null }).value;
    const i18n = nuxtApp.$i18n;
    if (wanted && wanted !== i18n.locale.value && (i18n.localeCodes.value as string[]).includes(wanted)) {
      await i18n.setLocale(wanted as typeof i18n.locale.value);
    }
  },
});
