// Attaching a file to the reply: the paperclip opens the browser's file chooser (a hidden input) and
// the file chosen is handed on; the input is emptied once it is dealt with, so that the same file can be
// chosen again.
import { PaperClipOutlined } from '@ant-design/icons';
import { Button, Tooltip } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';

export function AttachButton({ onFile }: { onFile(f: File): Promise<void> }) {
  const { t } = useTranslation('agent');
  const file = useRef<HTMLInputElement>(null);
  return (
    <>
      <Tooltip title={t('composer.attach')}>
        <Button
          type="text"
          size="small"
          aria-label={t('composer.attach')}
          icon={<PaperClipOutlined aria-hidden />}
          onClick={() => file.current?.click()}
        />
      </Tooltip>
      <input
        ref={file}
        type="file"
        hidden
        aria-label={t('composer.attach')}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f)
            void onFile(f).finally(() => {
              if (file.current) file.current.value = '';
            });
        }}
      />
    </>
  );
}
