# Run a frozen DigitApp.exe's --self-test the way a user's machine would see it, and show what it
# did: its output and the log it wrote. Exits non-zero when the self-test failed.
#   self-test.ps1 -Exe <path to DigitApp.exe> -LocalAppData <folder to use as %LOCALAPPDATA%>
param(
    [Parameter(Mandatory)] [string] $Exe,
    [Parameter(Mandatory)] [string] $LocalAppData
)
$ErrorActionPreference = "Stop"

# The app keeps its log, autosaves and cache in %LOCALAPPDATA%\DigitApp; TensorFlow and the
# self-test write temporary files in %TEMP%: both under the given folder (a user's profile with
# spaces and letters outside ASCII in its name, in the workflow).
$temp = Join-Path $LocalAppData "Temp"
New-Item -ItemType Directory -Force -Path $temp | Out-Null
$env:LOCALAPPDATA = $LocalAppData
$env:TEMP = $temp
$env:TMP = $temp

$out = Join-Path $temp "self-test.out.txt"
$err = Join-Path $temp "self-test.err.txt"
Write-Output "Running: $Exe --self-test  (LOCALAPPDATA=$LocalAppData)"
# A windowed exe does not make the shell wait: Start-Process -Wait gets its exit code.
$p = Start-Process -FilePath $Exe -ArgumentList "--self-test" -Wait -PassThru `
    -RedirectStandardOutput $out -RedirectStandardError $err
foreach ($file in $out, $err) {
    if ((Test-Path $file) -and (Get-Item $file).Length -gt 0) { Get-Content $file }
}
$log = Join-Path $LocalAppData "DigitApp\digitapp.log"
if (Test-Path $log) {
    Write-Output "--- $log (last 80 lines)"
    Get-Content $log -Tail 80 -Encoding UTF8
} else {
    Write-Output "no log at $log"
}
if ($p.ExitCode -ne 0) {
    Write-Error "self-test failed with exit code $($p.ExitCode)"
    exit 1
}
Write-Output "self-test passed"
