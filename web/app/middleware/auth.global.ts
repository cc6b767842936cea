// Every page but the sign-in page needs a signed-in user (the API serves nothing anonymously).
import { useSessionStore } from '~/stores/session';

export default defineNuxtRouteMiddleware((to) => {
  if (to.meta.public) return;
  const session = useSessionStore();
  if (!session.signedIn) return navigateTo({ path: '/login', query: { redirect: to.fullPath } });
});
