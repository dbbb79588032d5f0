// Who is signed in and what the server offers, for every page: the session from
// GET /auth/session, the CSRF token it carries, and the API's capabilities.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { UserView } from './api/types.js';
import { NO_CAPABILITIES, type Capabilities } from './api/capabilities.js';

export interface SessionInfo {
  user: UserView;
  caps: Capabilities;
  logout(): Promise<void>;
}

export const SessionContext = createContext<SessionInfo>({
  user: {
    id: 0,
    username: '',
    role: 'agent',
    agentId: null,
    disabled: false,
    createdAt: '',
    updatedAt: '',
  },
  caps: NO_CAPABILITIES,
  logout: async () => {},
});

export function useSession(): SessionInfo {
  return useContext(SessionContext);
}

export function isAdmin(user: UserView): boolean {
  return user.role === 'admin';
}
