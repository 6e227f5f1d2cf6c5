// Package backups3 is the backup-s3 plugin: a backup target over a bucket
// of an S3-compatible object store (AWS S3, MinIO, Ceph, Garage, ...),
// spoken to with minio-go. The object "20261205T000000Z-office/db.zst" is
// stored under the key PREFIX20261205T000000Z-office/db.zst of the bucket.
//
// Its configuration section is a JSON object (see Config):
//
//	{
//	  "endpoint": "s3.eu-central-1.amazonaws.com",
//	  "bucket": "acme-backups",
//	  "prefix": "crewplan/",
//	  "region": "eu-central-1",
//	  "access_key_id": "AKIA...",
//	  "secret_access_key": "",
//	  "use_ssl": true,
//	  "path_style": false
//	}
//
// The keys:
//
//   - "endpoint" (required): the server, host or host:port, no scheme.
//   - "bucket" (required): the bucket, which must exist.
//   - "prefix": a folder of the bucket the objects are kept under; a
//     slash is added when it has none ("crewplan" is "crewplan/").
//   - "region": the bucket's region; empty asks the server.
//   - "access_key_id" (required) and "secret_access_key": the credentials.
//     When secret_access_key is empty it is read from the environment
//     variable CREWPLAN_PLUGIN_S3_SECRET_ACCESS_KEY (SecretEnv), so that it
//     need not sit in a configuration file.
//   - "use_ssl" (default true): HTTPS rather than HTTP.
//   - "path_style": address the bucket in the path (host/bucket/key), as
//     most self-hosted servers want; false lets minio-go choose (virtual
//     hosts on AWS).
//
// Put stores a stream of up to 1 MiB in one PUT, and a longer one as a
// multipart upload in parts of 16 MiB (so at most about 156 GiB an object,
// and 17 MiB of memory per Put under way). S3 shows an object only once its
// upload completes, and
// an upload that fails or is cancelled is aborted, so an object is whole
// or absent. Only a process killed mid-upload leaves an incomplete upload
// behind, invisible but billed: give the bucket a lifecycle rule that
// aborts incomplete multipart uploads after a day.
//
// Keys under the prefix that are not valid object names (folder markers,
// the self-test's dot-named probe) are not objects: List skips them.
package backups3
