// Entry of the web apps. The shell, login and i18n load first; each app (agent workspace,
// supervisor wallboard, admin console) is its own chunk, fetched when its route is opened.
import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, type ReactNode, StrictMode, Suspense, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import LoginPage from './login/LoginPage';
import { AuthProvider, atLeast, homeOf, type Role, useAuth } from './shared/auth';
import './shared/i18n';
import { Shell } from './shared/Shell';

const AgentApp = lazy(() => import('./agent/AgentApp'));
const SupervisorApp = lazy(() => import('./supervisor/SupervisorApp'));
const AdminApp = lazy(() => import('./admin/AdminApp'));

function Loading() {
  const { t } = useTranslation();
  return (
    <div style={{ display: 'flex', height: '100%', alignItems: 'center', justifyContent: 'center' }}>
      <Spin tip={t('loading')}>
        <div style={{ width: 120, height: 60 }} />
      </Spin>
    </div>
  );
}

/** Marks the page once an app's own chunk has rendered (the performance test reads the time). */
function Ready({ app }: { app: string }) {
  const [at] = useState(() => Math.round(performance.now()));
  return <span hidden data-app-ready={at} data-app={app} />;
}

function Guard({ least, children }: { least: Role; children: ReactNode }) {
  const { me, ready } = useAuth();
  const location = useLocation();
  const { t } = useTranslation();
  if (!ready) return <Loading />;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (!atLeast(me.role, least)) return <Result status="403" title={t('errors.forbidden')} />;
  return (
    <Shell>
      <Suspense fallback={<Loading />}>
        {children}
        <Ready app={least} />
      </Suspense>
    </Shell>
  );
}

function Home() {
  const { me, ready } = useAuth();
  if (!ready) return <Loading />;
  return <Navigate to={me ? homeOf(me.role) : '/login'} replace />;
}

function Root() {
  const { i18n, t } = useTranslation();
  const zh = i18n.resolvedLanguage === 'zh-CN';
  useEffect(() => {
    document.documentElement.lang = zh ? 'zh-CN' : 'en';
    document.title = t('product');
  }, [zh, t]);
  return (
    <ConfigProvider locale={zh ? zhCN : enUS} theme={{ token: { colorPrimary: '#1664ff', borderRadius: 6 } }}>
      <AntApp style={{ height: '100%' }}>
        <AuthProvider>
          <BrowserRouter>
            <Routes>
              <Route path="/" element={<Home />} />
              <Route path="/login" element={<LoginPage />} />
              <Route
                path="/agent/*"
                element={
                  <Guard least="agent">
                    <AgentApp />
                  </Guard>
                }
              />
              <Route
                path="/supervisor/*"
                element={
                  <Guard least="supervisor">
                    <SupervisorApp />
                  </Guard>
                }
              />
              <Route
                path="/admin/*"
                element={
                  <Guard least="admin">
                    <AdminApp />
                  </Guard>
                }
              />
              <Route path="*" element={<Result status="404" title={t('errors.notFound')} />} />
            </Routes>
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
