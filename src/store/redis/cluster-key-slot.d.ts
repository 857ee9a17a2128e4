/** The package ships no types: it exports one function, key (or keys) → Cluster slot. */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export default calculateSlot;
}
