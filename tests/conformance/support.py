"""Helpers of the conformance tests: client wrappers and custom resource bodies."""

import json

import kubernetes

GROUP, VERSION = 'skupper.io', 'v2alpha1'
API_VERSION = f'{GROUP}/{VERSION}'
APPLY = 'application/apply-patch+yaml'
MERGE = 'application/merge-patch+json'
JSON_PATCH = 'application/json-patch+json'
STRATEGIC = 'application/strategic-merge-patch+json'


class Kube:
    """The kubernetes client APIs for one server, plus a raw request helper that never raises on a status."""

    def __init__(self, api_client, standin=None):
        self.api_client = api_client
        self.standin = standin
        self.core = kubernetes.client.CoreV1Api(api_client)
        self.custom = kubernetes.client.CustomObjectsApi(api_client)

    def request(self, method, path, body=None, query=None, content_type='application/json', headers=None):
        """(status, decoded JSON body or text, response headers) of one request through ApiClient.call_api."""
        header_params = dict({'Accept': 'application/json', 'Content-Type': content_type}, **(headers or {}))
        serialized = self.api_client.param_serialize(method, path, query_params=list((query or {}).items()),
                                                     header_params=header_params, body=body,
                                                     auth_settings=['BearerToken'])
        response = self.api_client.call_api(*serialized)
        data = response.read().decode()
        try:
            data = json.loads(data)
        except ValueError:
            pass
        return response.status, data, response.headers

    def apply(self, namespace, plural, name, body, manager='conformance', force=False, **query):
        """Server-side apply through ApiClient.call_api; the object (also on 201, where the typed
        `patch_namespaced_custom_object` returns None because its answer types list only 200)."""
        query = dict(query, fieldManager=manager, **({'force': 'true'} if force else {}))
        path = f'/apis/{API_VERSION}/namespaces/{namespace}/{plural}/{name}'
        status, answer, _unused = self.request('PATCH', path, json.dumps(body), query, APPLY)
        if status >= 400:
            error = kubernetes.client.ApiException(status=status, reason=answer.get('reason'))
            error.body = json.dumps(answer)
            raise error
        return answer

    def create(self, namespace, plural, body):
        return self.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, plural, body)

    def get(self, namespace, plural, name):
        return self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, plural, name)


def failure(call, *args, **kwargs):
    """The decoded kube Status of a client call that must fail with an ApiException."""
    try:
        call(*args, **kwargs)
    except kubernetes.client.ApiException as exc:
        body = json.loads(exc.body)
        assert body['code'] == exc.status
        return body
    raise AssertionError(f'{call.__name__} did not fail')


def cr(kind, name, spec, **metadata):
    """A custom resource body of the skupper.io group."""
    return {'apiVersion': API_VERSION, 'kind': kind, 'metadata': dict(metadata, name=name), 'spec': spec}


def listener(name='db', port=5432, **metadata):
    return cr('Listener', name, {'host': 'db', 'port': port, 'routingKey': 'db'}, **metadata)
