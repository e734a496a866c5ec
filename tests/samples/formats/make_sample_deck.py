"""Write `sample_deck.apkg` with Anki's own library (the `anki` package of the test extra), and print
its notes as awskg numbers their lines, for labelling `sample_deck_gold.jsonl`.

    .venv/bin/python tests/samples/formats/make_sample_deck.py

Line numbers (see awskg.readers.apkg): notes in the order they were added (their ids), each
non-empty field in its note type's order, one line per line of the field. The package is committed;
running this again writes the same notes with new ids and the same line numbers.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, where the package writer is

from anki_packages import FACT_TYPE, Note, write_packages  # noqa: E402

B, R, C = "Basic", "Basic (and reversed card)", "Cloze"
DVA = "dva-c02"

NOTES = [
    Note(B, ["S3: largest object you can store?",
             "5 TB per object.<br>A single PUT uploads at most <b>5 GB</b> – above that, multipart upload."],
         ["aws::s3", DVA], "AWS::S3"),
    Note(FACT_TYPE, ["S3: multipart upload part sizes?",
                     "Parts are 5 MiB to 5 GiB each (the last one may be smaller); up to 10,000 parts.",
                     "Standard storage costs roughly $0.023 per GB-month in us-east-1."],
         ["aws::s3", DVA], "AWS::S3"),
    Note(C, ["S3 bucket names are {{c1::3}} to {{c2::63}} characters long.",
             "Globally unique, lower case, no underscores."], ["aws::s3"], "AWS::S3"),
    Note(B, ["S3: buckets per account?",
             "10,000 general purpose buckets per account by default (a soft quota you can raise)."],
         ["aws::s3", DVA], "AWS::S3"),
    Note(FACT_TYPE, ["API Gateway: integration timeout?", "29 seconds by default for REST APIs",
                     "HTTP APIs allow up to 30 seconds."], ["aws::apigateway", DVA], "AWS::API Gateway"),
    Note(B, ["API Gateway: max payload size?", "10&nbsp;MB request payload for REST and HTTP APIs"],
         ["aws::apigateway", DVA], "AWS::API Gateway"),
    Note(B, ["API Gateway: account-level throttling?",
             "10,000 requests per second steady-state, with a burst of 5,000 requests, per Region"],
         ["aws::apigateway", DVA], "AWS::API Gateway"),
    Note(B, ["API Gateway: stage cache?",
             "Default TTL 300 seconds; allowed 0 to 3600 seconds.<br>Cache sizes 0.5 GB to 237 GB."],
         ["aws::apigateway"], "AWS::API Gateway"),
    Note(R, ["ECS: what is Fargate?",
             "Serverless compute for containers – you pick CPU and memory, AWS runs the hosts."],
         ["aws::ecs"], "AWS::ECS"),
    Note(B, ["Fargate: task size limits?",
             "<ul><li>vCPU: 0.25 to 16</li><li>memory: 512 MB to 120 GB</li>"
             "<li>ephemeral storage: 20 GiB by default, configurable up to 200 GiB</li></ul>"],
         ["aws::ecs", DVA], "AWS::ECS"),
    Note(B, ["ECS: which port does the container agent introspection API use?",
             "Port 51678 on the container instance; an HTTP 200 answer means it is healthy."],
         ["aws::ecs"], "AWS::ECS"),
    Note(B, ["CloudFront: default TTL?",
             "86,400 seconds (24 hours) unless the origin sends Cache-Control; the maximum TTL defaults "
             "to 31,536,000 seconds (one year)."], ["aws::cloudfront"], "AWS::CloudFront"),
    Note(B, ["CloudFront: largest file it serves?", "30 GB for a single file"], ["aws::cloudfront"],
         "AWS::CloudFront"),
    Note(C, ["Lambda@Edge viewer request functions time out after {{c1::5 seconds}}; origin request "
             "functions after {{c2::30 seconds}}.", ""], ["aws::cloudfront", "aws::lambda"],
         "AWS::CloudFront"),
    Note(B, ["EC2: instance metadata endpoint?",
             "<code>http://169.254.169.254/latest/meta-data/</code> – IMDSv2 session tokens last up to "
             "6 hours (21,600 seconds)."], ["aws::ec2"], "AWS::EC2"),
    Note(B, ["EBS: gp3 baseline performance?",
             "3,000 IOPS and 125 MiB/s included at any size; provision up to 16,000 IOPS and 1,000 MiB/s."],
         ["aws::ebs", "saa-c03"], "AWS::EC2"),
    Note(B, ["EBS: io2 Block Express?", "Up to 256,000 IOPS per volume; volumes of 4 GiB to 64 TiB."],
         ["aws::ebs", "saa-c03"], "AWS::EC2"),
    Note(B, ["Cognito: user pool token lifetimes?",
             "ID and access tokens: 5 minutes to 1 day (default 1 hour).<br>"
             "Refresh token: 60 minutes to 10 years (default 30 days)."], ["aws::cognito", DVA],
         "AWS::Cognito"),
    Note(B, ["SES: sandbox limits?",
             "200 messages per 24 hours and 1 message per second until you move out of the sandbox"],
         ["aws::ses"], "AWS::SES"),
    Note(B, ["KMS: largest plaintext for Encrypt?",
             "4 KB – for more, use envelope encryption (<code>GenerateDataKey</code>)"], ["aws::kms", DVA],
         "AWS::KMS"),
    Note(B, ["CloudWatch: how long are metrics kept?",
             '<img src="metric-retention.png"><br>1-second data points: 3 hours; 60-second: 15 days; '
             "5-minute: 63 days; 1-hour: 455 days (15 months)"], ["aws::cloudwatch"], "AWS::CloudWatch"),
    Note(B, ["SNS: subscriptions per topic?", "12,500,000 per standard topic; 100 per FIFO topic"],
         ["aws::sns"], "AWS::SNS"),
    Note(FACT_TYPE, ["Firehose: buffering hints?",
                     "Buffer size 1 MiB to 128 MiB\nBuffer interval 0 to 900 seconds",
                     "Whichever is reached first triggers a delivery."], ["aws::firehose", DVA],
         "AWS::Kinesis"),
    Note(B, ["Rolling with additional batch – what does it cost?",
             "Full capacity during the deploy; one extra batch of instances runs for a while."],
         [DVA], "AWS::DVA-C02::Elastic Beanstalk"),
    Note(C, ["An SQS message can be delayed by up to {{c1::15 minutes::how long?}}.", ""], ["aws::sqs"],
         "AWS::SQS"),
]
MEDIA = {"metric-retention.png": b"\x89PNG\r\n\x1a\n" + bytes(32)}


def numbered_lines(notes: list[Note]) -> list[tuple[int, int, str, str]]:
    """(line, note index, field index, text) as awskg numbers a package's lines."""
    out = []
    line = 1
    for k, note in enumerate(notes, 1):
        for j, value in enumerate(note.fields):
            if value.strip():
                for part in value.split("\n"):
                    out.append((line, k, j, part))
                    line += 1
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        packages = write_packages(NOTES, Path(tmp), MEDIA)
        shutil.copyfile(packages["apkg"], HERE / "sample_deck.apkg")
    for line, k, j, text in numbered_lines(NOTES):
        print(f"{line:3}  note {k:2} field {j}  {text}")


if __name__ == "__main__":
    main()
