# Build the Windows installer: dist\AssetDesk-VERSION-setup.exe (per-user, Start-menu entry,
# uninstaller). Needs Python 3.11+, Inno Setup 6 (iscc on PATH). Untested here (no Windows).
$ErrorActionPreference = "Stop"
$Root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $Root
python -m venv .venv
.venv\Scripts\python -m pip install --upgrade pip
.venv\Scripts\python -m pip install -e ".[test]"
$Version = .venv\Scripts\python -c "from importlib.metadata import version; print(version('assetdesk'))"
# The .ico from the committed PNG (Qt writes ICO files).
.venv\Scripts\python -c "import os; os.environ['QT_QPA_PLATFORM']='offscreen'; from PySide6.QtGui import QGuiApplication, QImage; a=QGuiApplication([]); QImage('resources/icons/assetdesk.png').save('resources/icons/assetdesk.ico')"
.venv\Scripts\python -m PyInstaller --noconfirm --distpath dist\pyinstaller --workpath build\pyinstaller packaging\assetdesk.spec
$env:QT_QPA_PLATFORM = "offscreen"
& dist\pyinstaller\AssetDesk\assetdesk.exe --self-test
if ($LASTEXITCODE -ne 0) { throw "the frozen app failed its self-test" }
Remove-Item Env:QT_QPA_PLATFORM
iscc /DAppVersion=$Version /DSourceDir="$Root\dist\pyinstaller\AssetDesk" packaging\windows\assetdesk.iss
