import SystemPackage

/// Reads pressure stall information files (`some avg10=0.00 avg60=0.00
/// avg300=0.00 total=0` and the same for `full`).
enum PressureReader {
    static func read(_ directory: CgroupDirectory) -> Pressure? {
        var pressure = Pressure()
        pressure.cpu = stat(directory, "cpu.pressure")
        pressure.memory = stat(directory, "memory.pressure")
        pressure.io = stat(directory, "io.pressure")
        return pressure.cpu == nil && pressure.memory == nil && pressure.io == nil ? nil : pressure
    }

    static func stat(_ directory: CgroupDirectory, _ name: String) -> PressureStat? {
        guard let text = try? directory.readIfPresent(name) else { return nil }
        return parse(text)
    }

    static func parse(_ text: String) -> PressureStat {
        var stat = PressureStat()
        for (name, values) in KeyedFile.nested(text) {
            var data = PressureData()
            data.avg10 = values["avg10"].flatMap(Double.init) ?? 0
            data.avg60 = values["avg60"].flatMap(Double.init) ?? 0
            data.avg300 = values["avg300"].flatMap(Double.init) ?? 0
            data.total = values["total"].flatMap { UInt64($0) } ?? 0
            if name == "some" { stat.some = data } else if name == "full" { stat.full = data }
        }
        return stat
    }
}
