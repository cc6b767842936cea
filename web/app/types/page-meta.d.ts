declare module '#app' {
  interface PageMeta {
    /** Reachable without signing in. */
    public?: boolean;
  }
}

export {};
