# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test creates its managed venvs without pip and then runs
~/.ansible/test/cache/get_pip_<version>.py, which it otherwise downloads from a host this
machine cannot reach. noxfile.py copies this file there under every name ansible-test asks for.
"""
import subprocess
import sys


def main():
    """Install pip with ensurepip, then the exact versions ansible-test asked for."""
    # ensurepip in a child process: in-process it sets PIP_CONFIG_FILE=/dev/null in os.environ,
    # which would hide /etc/pip.conf (index, cert) from the pip run below.
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
    args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
    rc = subprocess.call([sys.executable, '-m', 'pip', 'install', '--upgrade', '--force-reinstall'] + args)
    if rc == 0 and '--no-setuptools' in sys.argv:
        # get-pip.py --no-setuptools leaves setuptools out; ensurepip (Python < 3.12) put it in.
        subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '-q', '-y', 'setuptools'])
    sys.exit(rc)


if __name__ == '__main__':
    main()
