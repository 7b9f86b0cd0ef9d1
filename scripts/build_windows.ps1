# Build, sign and package the Windows bundle on a Windows build machine.
#
#   powershell -ExecutionPolicy Bypass -File scripts\build_windows.ps1 [-CertificateThumbprint <thumbprint>]
#
# Produces dist\community-trigger\ (one folder: copy it to C:\Program Files\Community Trigger\ or
# package it with your software-deployment tool) after smoke-testing it.
param(
    [string]$CertificateThumbprint = "",
    [string]$TimestampUrl = "http://timestamp.digicert.com"
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

Remove-Item -Recurse -Force build\bundle-venv, build\community-trigger, dist\community-trigger -ErrorAction SilentlyContinue
py -3 -m venv build\bundle-venv
& build\bundle-venv\Scripts\pip install -q . "pyinstaller>=6.10"
& build\bundle-venv\Scripts\pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build build.spec

$exe = "dist\community-trigger\community-trigger.exe"
if ($CertificateThumbprint) {
    # Sign with the council's code-signing certificate from the machine's certificate store.
    & signtool sign /sha1 $CertificateThumbprint /fd SHA256 /tr $TimestampUrl /td SHA256 $exe
    & signtool verify /pa $exe
}

& $exe --version
$env:QT_QPA_PLATFORM = "offscreen"
& $exe --self-test
if ($LASTEXITCODE -ne 0) { throw "The bundle's self-test failed." }
Write-Host "Bundle ready in dist\community-trigger\"
