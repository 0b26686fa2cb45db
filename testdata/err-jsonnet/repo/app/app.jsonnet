local name = 'web';
{
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: name },
}
