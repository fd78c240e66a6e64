; Inno Setup 6 script for VerifyDesk: installs the PyInstaller onedir bundle per user (no admin
; rights needed) or for all users, with a Start menu entry and an uninstaller.
; Built by `python packaging/build.py` on Windows, which passes every value below with /D:
;   iscc /DAppVersion=0.1.0 /DBundleDir=build\bundle\verifydesk /DIconFile=build\icons\verifydesk.ico
;        /DLicenceFile=LICENSE /DOutputDir=dist /DOutputName=VerifyDesk-0.1.0-windows-x86_64-setup
;        packaging\windows\verifydesk.iss
; Not buildable on Linux: verified only by .github/workflows/package.yml (windows job).

#ifndef AppVersion
  #error AppVersion must be given: iscc /DAppVersion=...
#endif

[Setup]
; A fixed AppId keeps upgrades and the uninstaller tied to one product: never change it.
AppId={{6E0B7C55-3F0C-4C0E-9E34-5B8F4C2C9D17}
AppName=VerifyDesk
AppVersion={#AppVersion}
AppVerName=VerifyDesk {#AppVersion}
AppPublisher=VerifyDesk maintainers
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\VerifyDesk
DefaultGroupName=VerifyDesk
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile={#LicenceFile}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\VerifyDesk.exe
OutputDir={#OutputDir}
OutputBaseFilename={#OutputName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\VerifyDesk"; Filename: "{app}\VerifyDesk.exe"
Name: "{autodesktop}\VerifyDesk"; Filename: "{app}\VerifyDesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\VerifyDesk.exe"; Description: "{cm:LaunchProgram,VerifyDesk}"; Flags: nowait postinstall skipifsilent
