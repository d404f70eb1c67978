"""A stand-in for kube-controller-manager's deployment controller (a test double): marks Deployments available.

In a real cluster a Deployment's status (observedGeneration, replicas, the Available condition) is written by the
deployment controller once its pods run. The API stand-in runs no pods; this double plays the controller over
HTTP: every Deployment whose status has not caught up with its generation gets the status of a finished rollout
(all replicas updated, ready and available; Available and Progressing True), written to the status subresource
with an update carrying the resourceVersion it read, as the real controller does. `hold=True` leaves them as they
are (a rollout that never finishes), to test waits that time out.
"""

import json
import threading
import time
import urllib.error
import urllib.request

USER_AGENT = 'kube-controller-manager-standin/deployment-controller'
DEPLOYMENTS = '/apis/apps/v1/deployments'


def rolled_out_status(deployment):
    """The status the deployment controller writes once every replica of the current generation is available."""
    replicas = (deployment.get('spec') or {}).get('replicas', 1)
    moment = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    return {'observedGeneration': deployment['metadata'].get('generation', 1), 'replicas': replicas,
            'updatedReplicas': replicas, 'readyReplicas': replicas, 'availableReplicas': replicas,
            'conditions': [
                {'type': 'Available', 'status': 'True', 'reason': 'MinimumReplicasAvailable',
                 'message': 'Deployment has minimum availability.', 'lastUpdateTime': moment,
                 'lastTransitionTime': moment},
                {'type': 'Progressing', 'status': 'True', 'reason': 'NewReplicaSetAvailable',
                 'message': 'ReplicaSet "%s" has successfully progressed.' % deployment['metadata']['name'],
                 'lastUpdateTime': moment, 'lastTransitionTime': moment}]}


class DeploymentController:
    """Polls the API at api_url every `every` seconds and completes every Deployment rollout (unless hold)."""

    def __init__(self, api_url, every=0.1, hold=False):
        self.api_url = api_url.rstrip('/')
        self.every = every
        self.hold = hold
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='deployment-controller-standin', daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api_url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json', 'User-Agent': USER_AGENT})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def _run(self):
        while not self._stop.wait(self.every):
            if not self.hold:
                try:
                    self.reconcile()
                except (OSError, urllib.error.URLError, ValueError):
                    continue  # the server is stopping, or a write raced another: the next round retries

    def reconcile(self):
        """One round: the status of every Deployment behind its generation is written."""
        for item in self._request('GET', DEPLOYMENTS).get('items') or []:
            metadata = item['metadata']
            if (item.get('status') or {}).get('observedGeneration') == metadata.get('generation'):
                continue
            body = dict(item, apiVersion='apps/v1', kind='Deployment', status=rolled_out_status(item))
            try:
                self._request('PUT', '/apis/apps/v1/namespaces/%s/deployments/%s/status'
                              % (metadata['namespace'], metadata['name']), body)
            except urllib.error.HTTPError as exc:
                if exc.code not in (404, 409):  # deleted or changed since the list: the next round sees it
                    raise
