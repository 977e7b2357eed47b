// cluster-key-slot (a dependency of ioredis) ships no types: its one export hashes a key to a slot.
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string | Buffer): number;
}
