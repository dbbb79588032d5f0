// Every route an agent asks for goes on the call's timeline as transfer-requested: the department,
// the candidates in ring order, or why there are none. Wraps the router the agents are given.
import type { RouteRequest, RouteResult, Router } from '../../routing/router.js';
import type { TransferNotes } from './transfer-notes.js';

function detailOf(request: RouteRequest, route: RouteResult): Record<string, unknown> {
  const common = { department: route.department ?? request.department ?? null, byPerson: !!request.person };
  if (route.kind === 'ring')
    return {
      ...common,
      strategy: route.strategy,
      sticky: route.sticky,
      candidates: route.groups.map((g) => g.map((c) => c.agentId)),
    };
  // An unknown person's detail quotes what the caller asked for: not for the timeline.
  return {
    ...common,
    candidates: [],
    reason: route.reason,
    ...(route.reason === 'unknown-person' ? {} : { detail: route.detail }),
  };
}

export function recordTransferRequests(router: Router, notes: TransferNotes): Router {
  return {
    async route(request) {
      const route = await router.route(request);
      await notes.note(request.callSid, 'transfer-requested', detailOf(request, route));
      return route;
    },
  };
}
