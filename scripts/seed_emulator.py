"""Seeds the local AWS emulator (moto) with the resources of the labs Belfry grew from, so every
screen has something real to show on a first run:

- a VPC with a subnet in availability zone a and one in zone c, and an internet gateway;
- a security group that allows HTTP;
- two EC2 instances (one per subnet), each with its EBS root volume;
- one Lambda function (and the IAM role it runs as).

Idempotent: everything is found by its Name tag (or name) before it is created. It only ever
talks to the endpoint in AWS_ENDPOINT_URL and refuses to run without one, so it can never
create anything in a real account.
"""

import datetime
import io
import json
import math
import os
import sys
import zipfile

import boto3

TAG = {"Key": "belfry-seed", "Value": "lab"}


def tags(name):
    return [{"Key": "Name", "Value": name}, TAG]


def by_name(items, name):
    for item in items:
        for tag in item.get("Tags", []):
            if tag["Key"] == "Name" and tag["Value"] == name:
                return item
    return None


def seed_network(ec2, region):
    vpc = by_name(ec2.describe_vpcs()["Vpcs"], "belfry-lab-vpc")
    if vpc is None:
        vpc = ec2.create_vpc(
            CidrBlock="10.0.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": tags("belfry-lab-vpc")}],
        )["Vpc"]
    vpc_id = vpc["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]

    subnets = {}
    existing = ec2.describe_subnets(Filters=in_vpc)["Subnets"]
    for zone, cidr in (("a", "10.0.1.0/24"), ("c", "10.0.2.0/24")):
        name = f"belfry-lab-subnet-{zone}"
        subnet = by_name(existing, name)
        if subnet is None:
            subnet = ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=cidr,
                AvailabilityZone=f"{region}{zone}",
                TagSpecifications=[{"ResourceType": "subnet", "Tags": tags(name)}],
            )["Subnet"]
        subnets[zone] = subnet["SubnetId"]

    gateways = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    )["InternetGateways"]
    if not gateways:
        gateway = ec2.create_internet_gateway(
            TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": tags("belfry-lab-igw")}]
        )["InternetGateway"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"], VpcId=vpc_id)

    groups = ec2.describe_security_groups(
        Filters=in_vpc + [{"Name": "group-name", "Values": ["belfry-lab-web"]}]
    )["SecurityGroups"]
    if groups:
        group_id = groups[0]["GroupId"]
    else:
        group_id = ec2.create_security_group(
            GroupName="belfry-lab-web",
            Description="HTTP from anywhere, for the lab's web servers and load balancer",
            VpcId=vpc_id,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": tags("belfry-lab-web")}],
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTP"}],
                }
            ],
        )
    return vpc_id, subnets, group_id


def seed_instances(ec2, subnets, group_id):
    running = ec2.describe_instances(
        Filters=[
            {"Name": "tag:belfry-seed", "Values": ["lab"]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
    )["Reservations"]
    instances = [i for r in running for i in r["Instances"]]
    images = ec2.describe_images(Owners=["amazon"])["Images"]
    if not images:
        sys.exit("the emulator lists no Amazon machine images to start instances from")
    image_id = sorted(images, key=lambda image: image["ImageId"])[0]["ImageId"]
    for zone, subnet_id in subnets.items():
        name = f"belfry-lab-web-{zone}"
        if by_name(instances, name) is not None:
            continue
        ec2.run_instances(
            ImageId=image_id,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet_id,
            SecurityGroupIds=[group_id],
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}
            ],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": tags(name)},
                {"ResourceType": "volume", "Tags": tags(f"{name}-root")},
            ],
        )


def seed_metrics(ec2, cloudwatch):
    """The lab's write traffic on each root volume: VolumeWriteBytes every 5 minutes over the
    last 6 hours, with a burst above 100000 an hour ago, so the alarm form's picker and graph
    have something real. Idempotent: the same points again change nothing that is shown."""
    volumes = ec2.describe_volumes(
        Filters=[{"Name": "tag:belfry-seed", "Values": ["lab"]}]
    )["Volumes"]
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    now -= datetime.timedelta(minutes=now.minute % 5)
    for volume in volumes:
        points = []
        for step in range(72):
            at = now - datetime.timedelta(minutes=5 * step)
            value = 40000 + 15000 * math.sin(step / 6)
            if 11 <= step <= 13:
                value = 180000
            points.append(
                {
                    "MetricName": "VolumeWriteBytes",
                    "Dimensions": [{"Name": "VolumeId", "Value": volume["VolumeId"]}],
                    "Timestamp": at,
                    "Value": value,
                    "Unit": "Bytes",
                }
            )
        for start in range(0, len(points), 20):
            cloudwatch.put_metric_data(Namespace="AWS/EBS", MetricData=points[start : start + 20])
    return len(volumes)


LAMBDA_CODE = """\
import json

count = 0

def handler(event, context):
    global count
    count += 1
    print(json.dumps({"count": count, "event": event}))
    return {"count": count}
"""


def seed_lambda(iam, lam):
    role_name = "belfry-lab-lambda"
    try:
        role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role_arn = iam.create_role(
            RoleName=role_name,
            AssumeRolePolicyDocument=json.dumps(trust),
            Tags=[TAG],
        )["Role"]["Arn"]

    name = "belfry-lab-counter"
    try:
        lam.get_function(FunctionName=name)
        return
    except lam.exceptions.ResourceNotFoundException:
        pass
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", LAMBDA_CODE)
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="index.handler",
        Code={"ZipFile": archive.getvalue()},
        Description="Counts its invocations: the target of the lab's morning schedule",
        Tags={"belfry-seed": "lab"},
    )


def main():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        sys.exit("AWS_ENDPOINT_URL is not set: this script only seeds an emulator")
    session = boto3.session.Session()
    region = session.region_name or "ap-northeast-2"
    client = lambda service: session.client(service, endpoint_url=endpoint, region_name=region)
    ec2 = client("ec2")
    vpc_id, subnets, group_id = seed_network(ec2, region)
    seed_instances(ec2, subnets, group_id)
    seed_lambda(client("iam"), client("lambda"))
    volumes = seed_metrics(ec2, client("cloudwatch"))
    print(
        f"emulator seeded: {vpc_id}, subnets {subnets['a']} ({region}a) and "
        f"{subnets['c']} ({region}c), security group {group_id}, 2 instances, 1 Lambda function, "
        f"VolumeWriteBytes for {volumes} volumes"
    )


if __name__ == "__main__":
    main()
