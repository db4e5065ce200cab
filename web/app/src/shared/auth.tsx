// The signed-in user: token in localStorage, profile from /api/v1/auth/me, and what each role may open.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { get, getToken, post, setToken, setUnauthorizedHandler } from './api';
import { live } from './live';

export type Role = 'owner' | 'admin' | 'supervisor' | 'agent';
export interface Me {
  id: string;
  tenantId: string;
  email: string;
  displayName: string;
  role: Role;
}

const RANK: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2, owner: 3 };
/** Whether `role` carries at least `least`'s rights (the server's rule too). */
export const atLeast = (role: Role | undefined, least: Role): boolean => !!role && RANK[role] >= RANK[least];

interface AuthState {
  me: Me | null;
  ready: boolean;
  login(email: string, password: string): Promise<Me>;
  logout(): void;
}

const Ctx = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);

  const logout = useCallback(() => {
    setToken(null);
    live.stop();
    setMe(null);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(logout);
    if (!getToken()) {
      setReady(true);
      return;
    }
    get<Me>('/api/v1/auth/me')
      .then((m) => {
        setMe(m);
        live.start();
      })
      .catch(() => setToken(null))
      .finally(() => setReady(true));
  }, [logout]);

  const login = useCallback(async (email: string, password: string) => {
    const { token } = await post<{ token: string }>('/api/v1/auth/login', { email, password });
    setToken(token);
    const m = await get<Me>('/api/v1/auth/me');
    setMe(m);
    live.start();
    return m;
  }, []);

  const value = useMemo(() => ({ me, ready, login, logout }), [me, ready, login, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** The app a user lands on after signing in. */
export function homeOf(role: Role): string {
  if (role === 'agent') return '/agent';
  if (role === 'supervisor') return '/supervisor';
  return '/admin';
}
