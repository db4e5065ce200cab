// The frame around every app: product name, app switcher (only the apps the role may open),
// live-connection badge, language switch and the account menu.
import { GlobalOutlined, UserOutlined } from '@ant-design/icons';
import { Badge, Button, Dropdown, Layout, Segmented, Space, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { atLeast, useAuth } from './auth';
import { LANGUAGES } from './i18n';
import { useLiveStatus } from './live';

const APPS = [
  { key: 'agent', path: '/agent', least: 'agent' },
  { key: 'supervisor', path: '/supervisor', least: 'supervisor' },
  { key: 'admin', path: '/admin', least: 'admin' },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { me, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const status = useLiveStatus();
  const current = APPS.find((a) => location.pathname.startsWith(a.path))?.key;
  const apps = APPS.filter((a) => atLeast(me?.role, a.least));

  return (
    <Layout style={{ height: '100%' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 16,
          height: 48,
          lineHeight: '48px',
          padding: '0 16px',
          background: '#001529',
        }}
      >
        <Typography.Text strong style={{ color: '#fff', fontSize: 16 }}>
          {t('product')}
        </Typography.Text>
        {apps.length > 1 && (
          <Segmented
            aria-label={t('appSwitcher')}
            size="small"
            value={current}
            options={apps.map((a) => ({ value: a.key, label: t(`apps.${a.key}`) }))}
            onChange={(v) => navigate(APPS.find((a) => a.key === v)!.path)}
          />
        )}
        <div style={{ flex: 1 }} />
        <Tooltip title={t(`live.${status}`)}>
          <Badge
            status={status === 'open' ? 'success' : status === 'connecting' ? 'processing' : 'error'}
            text={<span style={{ color: '#fff' }}>{t(`live.${status}`)}</span>}
          />
        </Tooltip>
        <Dropdown
          menu={{
            selectedKeys: [i18n.resolvedLanguage ?? 'en'],
            items: LANGUAGES.map((l) => ({ key: l, label: t(`languages.${l}`) })),
            onClick: ({ key }) => void i18n.changeLanguage(key),
          }}
        >
          <Button type="text" aria-label={t('language')} icon={<GlobalOutlined />} style={{ color: '#fff' }}>
            {t(`languages.${i18n.resolvedLanguage === 'zh-CN' ? 'zh-CN' : 'en'}`)}
          </Button>
        </Dropdown>
        <Dropdown
          menu={{
            items: [{ key: 'logout', label: t('signOut') }],
            onClick: () => {
              logout();
              navigate('/login');
            },
          }}
        >
          <Button type="text" aria-label={t('userMenu')} icon={<UserOutlined />} style={{ color: '#fff' }}>
            <Space size={4}>
              {me?.displayName || me?.email}
              <Typography.Text style={{ color: 'rgba(255,255,255,.65)' }}>
                {me ? t(`roles.${me.role}`) : ''}
              </Typography.Text>
            </Space>
          </Button>
        </Dropdown>
      </Layout.Header>
      <Layout.Content style={{ overflow: 'hidden', minHeight: 0 }}>{children}</Layout.Content>
    </Layout>
  );
}
