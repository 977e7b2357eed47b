export { keyInSlots } from '../cluster/keys.ts';
