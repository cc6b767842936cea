/** Injection tokens for the ports whose adapter is chosen by configuration. */
export const OBJECT_STORAGE = Symbol('ObjectStorage');
export const JOBS_QUEUE = Symbol('JobsQueue');
export const EVENTS_QUEUE = Symbol('EventsQueue');
