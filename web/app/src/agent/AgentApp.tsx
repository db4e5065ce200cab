import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export default function AgentApp() {
  const { t } = useTranslation('common');
  return (
    <Typography.Title level={3} style={{ padding: 24 }}>
      {t('apps.agent')}
    </Typography.Title>
  );
}
