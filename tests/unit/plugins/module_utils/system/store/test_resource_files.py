"""store/resource_files.py on real files: the resource files of a folder as documents, parsed once, and their modes."""

import os

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths, resource_files


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)


def listener(name, port=8080):
    return ('apiVersion: skupper.io/v2alpha1\nkind: Listener\nmetadata:\n  name: %s\nspec:\n  host: 0.0.0.0\n'
            '  port: %d\n  routingKey: %s\n' % (name, port, name))


def test_files_of_kinds_with_secrets_are_private():
    assert resource_files.file_mode('Secret') == files.PRIVATE_MODE
    assert resource_files.file_mode('AccessToken') == files.PRIVATE_MODE
    assert resource_files.file_mode('Listener') == files.PUBLIC_MODE
    assert resource_files.file_mode('ConfigMap') == files.PUBLIC_MODE  # not a kind of the model


def test_the_yaml_files_of_a_folder_sorted_with_its_sub_folders(tmp_path):
    for name in ('b.yaml', 'a.yml', 'c.json', 'notes.txt', 'sub/d.yaml', '.hidden/e.yaml'):
        write(str(tmp_path / name), 'x: 1\n')
    found = [os.path.relpath(path, str(tmp_path)) for path in resource_files.resource_files(str(tmp_path))]
    assert found == ['a.yml', 'b.yaml', os.path.join('.hidden', 'e.yaml'), os.path.join('sub', 'd.yaml')]


def test_documents_with_their_files_and_the_problems_of_the_others(tmp_path):
    write(str(tmp_path / 'Listener-a.yaml'), listener('a') + '---\n' + listener('b', 8081))
    write(str(tmp_path / 'broken.yaml'), 'kind: [\n')
    write(str(tmp_path / 'list.yaml'), '- 1\n')
    found, problems = resource_files.read_documents(str(tmp_path))
    assert [(relative, doc['metadata']['name']) for relative, doc in found] == [('Listener-a.yaml', 'a'),
                                                                                ('Listener-a.yaml', 'b')]
    assert len(problems) == 2
    assert problems[0].startswith('error loading "broken.yaml": error decoding yaml: ')
    assert problems[1] == 'list.yaml: a resource document must be a mapping, got [1]'


def test_a_file_is_parsed_once_and_read_again_when_it_changes(tmp_path):
    path = str(tmp_path / 'Listener-a.yaml')
    write(path, listener('a'))
    shared = resource_files.load_file(path, copied=False)
    assert resource_files.load_file(path, copied=False) is shared
    copy = resource_files.load_file(path)
    copy[0]['spec']['port'] = 1
    assert resource_files.load_file(path)[0]['spec']['port'] == 8080  # a copy never changes what is kept
    write(path, listener('a', 9090) + '# longer\n')
    assert resource_files.load_file(path)[0]['spec']['port'] == 9090


def test_the_runtime_resources_of_a_site_by_kind_and_name(tmp_path):
    home = str(tmp_path / 'east')
    assert resource_files.load_runtime_resources(home) == {}
    runtime = paths.runtime_resources_dir(home)
    write(os.path.join(runtime, 'Listener-a.yaml'), listener('a'))
    write(os.path.join(runtime, 'Listener-b.yaml'), listener('b', 8081))
    write(os.path.join(runtime, 'nameless.yaml'), 'kind: Listener\nmetadata: {}\n')
    resources = resource_files.load_runtime_resources(home)
    assert sorted(resources) == ['Listener']
    assert sorted(resources['Listener']) == ['a', 'b']
    assert resources['Listener']['b']['spec']['port'] == 8081
