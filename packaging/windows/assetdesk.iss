; Inno Setup script: a per-user install of the PyInstaller folder, with a Start-menu entry and an
; uninstaller. Built by packaging/windows/build.ps1, which passes /DAppVersion and /DSourceDir.
; Untested here (no Windows runner in this workplace): see the release workflow.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\pyinstaller\AssetDesk"
#endif

[Setup]
AppId={{6C1B9E4E-2F0A-4D55-9B7C-2A51D3E1A9F2}
AppName=AssetDesk
AppVersion={#AppVersion}
AppPublisher=AssetDesk
DefaultDirName={localappdata}\Programs\AssetDesk
DefaultGroupName=AssetDesk
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=AssetDesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\assetdesk.ico
UninstallDisplayIcon={app}\assetdesk.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\AssetDesk"; Filename: "{app}\assetdesk.exe"
Name: "{group}\Uninstall AssetDesk"; Filename: "{uninstallexe}"
Name: "{userdesktop}\AssetDesk"; Filename: "{app}\assetdesk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\assetdesk.exe"; Description: "Start AssetDesk"; Flags: nowait postinstall skipifsilent
