// The workers' process tests need the same /proc helpers; they live there, as the API's
// tests may import from the workers' folder but not the other way round.
export { childProcesses, isAlive } from '../../workers/test/processes.js';
