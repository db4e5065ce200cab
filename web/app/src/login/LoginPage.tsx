import { Alert, Button, Card, Form, Input, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { homeOf, useAuth } from '../shared/auth';
import { LANGUAGES } from '../shared/i18n';

export default function LoginPage() {
  const { t, i18n } = useTranslation();
  const { login } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: { email: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const me = await login(v.email, v.password);
      const next = new URLSearchParams(location.search).get('next');
      navigate(next?.startsWith('/') ? next : homeOf(me.role), { replace: true });
    } catch (e) {
      setError(t('login.failed', { message: (e as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ display: 'flex', height: '100%', alignItems: 'center', justifyContent: 'center' }}>
      <Card style={{ width: 380 }}>
        <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }}>
          {t('login.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            label={t('login.email')}
            name="email"
            rules={[{ required: true, message: t('login.emailRequired') }]}
          >
            <Input type="email" autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            label={t('login.password')}
            name="password"
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
        <div style={{ marginTop: 16, textAlign: 'right' }}>
          <Select
            aria-label={t('language')}
            size="small"
            value={i18n.resolvedLanguage === 'zh-CN' ? 'zh-CN' : 'en'}
            onChange={(l) => void i18n.changeLanguage(l)}
            options={LANGUAGES.map((l) => ({ value: l, label: t(`languages.${l}`) }))}
            style={{ width: 120 }}
          />
        </div>
      </Card>
    </main>
  );
}
