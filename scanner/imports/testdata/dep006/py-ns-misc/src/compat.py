from backports import tarfile  # EXPECT backports.tarfile
t = tarfile.open
