; DigitApp-Setup.exe: a per-user Windows installer for the PyInstaller one-folder bundle.
;
;   makensis /DVERSION=0.1.0 /DVERSION4=0.1.0.0 installer.nsi     (Windows)
;   makensis -DVERSION=0.1.0 -DVERSION4=0.1.0.0 installer.nsi     (Linux: make installer)
;
; Defines, all optional: BUNDLE (folder to pack), BUNDLE_EXE (its executable), VERSION,
; VERSION4 (the four numbers Windows' version resource needs), OUTFILE, COMPRESSOR (lzma, or
; zlib for a quick check).
; Relative paths are taken from this file's folder, as makensis changes into it.
;
; Silent: DigitApp-Setup.exe /S /D=C:\Some Folder   (/D last and unquoted, even with spaces)
;         Uninstall.exe /S                           (keeps the user's models and settings)

Unicode true
; A makensis warning is usually a real mistake (a missing file, a misspelt define).
!pragma warning error all

!ifndef BUNDLE
  !define BUNDLE "dist\DigitApp"
!endif
!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef VERSION4
  !define VERSION4 "0.0.0.0"
!endif
!ifndef OUTFILE
  !define OUTFILE "dist\DigitApp-Setup.exe"
!endif
; The bundle's executable, packed as DigitApp.exe: on Linux (make installer, a check of this
; script) the bundle's executable is dist/DigitApp/DigitApp.
!ifndef BUNDLE_EXE
  !define BUNDLE_EXE "${BUNDLE}\DigitApp.exe"
!endif
!ifndef COMPRESSOR
  !define COMPRESSOR "lzma"
!endif

!define APP "DigitApp"
!define EXE "DigitApp.exe"
!define UNINSTALLER "Uninstall.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
!define PROGID "DigitApp.KerasModel"
; Where the app keeps what the user made: autosaved models, log and cache (its data
; folder), and its QSettings (organisation "DigitApp").
!define USER_DATA "$LOCALAPPDATA\${APP}"
!define SETTINGS_KEY "Software\${APP}"
!define SHCNE_ASSOCCHANGED 0x08000000

!if "${COMPRESSOR}" == "lzma"
  ; Solid: one stream over the whole bundle, so its thousands of similar files (DLLs,
  ; .pyd) share one dictionary instead of each starting afresh.
  SetCompressor /SOLID lzma
!else
  SetCompressor ${COMPRESSOR}
!endif

Name "${APP}"
OutFile "${OUTFILE}"
; Per user, so no administrator is needed, and HKCU, $LOCALAPPDATA and the user's Start
; menu are the right places for everything written below.
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP}"
; Installing a new version offers the folder of the one already there.
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
ManifestDPIAware true
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} Setup"
VIAddVersionKey "CompanyName" "${APP}"
VIAddVersionKey "LegalCopyright" "${APP}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

!define MUI_ICON "resources\icon.ico"
!define MUI_UNICON "resources\icon.ico"
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Run ${APP}"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

Function .onInit
  SetShellVarContext current
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "${APP}" SecMain
  SetOutPath "$INSTDIR"

  ; Over an older version: its libraries may differ in name, and a stale DLL or .pyd left
  ; beside the new ones can be loaded instead of them.
  RMDir /r "$INSTDIR\_internal"

  File "/oname=${EXE}" "${BUNDLE_EXE}"
  File /r "${BUNDLE}\_internal"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  ; The working folder is the output path, so the app starts in its own folder.
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${EXE}"

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  ; Quoted: the folder may have spaces, and Windows runs these strings as command lines.
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  Call WriteEstimatedSize

  WriteRegStr HKCU "Software\Classes\.keras" "" "${PROGID}"
  WriteRegStr HKCU "Software\Classes\${PROGID}" "" "Keras model"
  WriteRegStr HKCU "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\${EXE},0"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  ; Explorer caches associations and icons until told.
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'
SectionEnd

; Only what this installer wrote: $INSTDIR may be a folder that also holds the user's files.
Function WriteEstimatedSize
  ${GetSize} "$INSTDIR\_internal" "/S=0K" $0 $1 $2
  ${GetSize} "$INSTDIR" "/M=${EXE} /S=0K /G=0" $1 $2 $3
  IntOp $0 $0 + $1
  ${GetSize} "$INSTDIR" "/M=${UNINSTALLER} /S=0K /G=0" $1 $2 $3
  IntOp $0 $0 + $1
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0
FunctionEnd

Section "Uninstall"
  ; Never RMDir /r "$INSTDIR": the user may have installed into a folder of their own.
  Delete "$INSTDIR\${EXE}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"

  Delete "$SMPROGRAMS\${APP}.lnk"

  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "Software\Classes\${PROGID}"
  ; Another program may have taken .keras since; then it is no longer ours to remove.
  ReadRegStr $0 HKCU "Software\Classes\.keras" ""
  ${If} $0 == "${PROGID}"
    DeleteRegValue HKCU "Software\Classes\.keras" ""
    DeleteRegKey /ifempty HKCU "Software\Classes\.keras"
  ${EndIf}
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'

  ; The user's own work: kept unless they say otherwise, and always when silent (an
  ; uninstall before an upgrade must not lose it).
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
    "Also delete ${APP}'s settings and the folder$\r$\n${USER_DATA}$\r$\n\
     with the models it autosaved, its log and its cache?" \
    /SD IDNO IDNO keep_user_data
    RMDir /r "${USER_DATA}"
    DeleteRegKey HKCU "${SETTINGS_KEY}"
  keep_user_data:
SectionEnd
