/**
 * @module query/service-map: assembles GET /api/service-map from a store's services and edges,
 * the same way for every store: one node per service, one per database, messaging system or
 * external peer that an edge points at.
 */
import type { ServiceMap, ServiceMapEdge, ServiceMapNode, ServiceMapNodeType } from '../model/model.js';

/** Nodes sorted by name (a peer named like an instrumented service is that service); edges kept in their order. */
export function buildServiceMap(services: Iterable<string>, edges: readonly (ServiceMapEdge & { targetType: ServiceMapNodeType })[]): ServiceMap {
  const nodes = new Map<string, ServiceMapNodeType>();
  for (const s of services) nodes.set(s, 'service');
  for (const e of edges) {
    nodes.set(e.source, 'service');
    if (!nodes.has(e.target) || e.targetType === 'service') nodes.set(e.target, e.targetType);
  }
  const list: ServiceMapNode[] = [...nodes].map(([name, type]) => ({ name, type }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { nodes: list, edges: edges.map(({ targetType: _t, ...e }) => e) };
}
