"""Every test run: no real cluster is ever reached through the environment.

The modules and the kubernetes client fall back to KUBECONFIG, ~/.kube/config, the K8S_AUTH_* variables and an
in-cluster service account. Tests address the API stand-in explicitly; so that a forgotten option can never
reach the cluster of the person running the tests, those variables are removed from this process (and so from
the ansible-playbook runs it starts), and KUBECONFIG points at a file that does not exist (which also hides
~/.kube/config). The conformance suite runs against a real cluster only when asked to with
APPNET_TEST_KUBECONFIG (`make test-kube-real`, tests/conformance/README.md), which this leaves alone.
"""

import os

for _name in [name for name in os.environ if name.startswith('K8S_AUTH_')] + [
        'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']:
    os.environ.pop(_name, None)
os.environ['KUBECONFIG'] = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'no-such-kubeconfig')
